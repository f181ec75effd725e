//! The table of fields: name, protocol, type and description, in one place.

/// How a field's value is typed (in DataFrames) and printed (in tshark's text form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Unsigned integer of `bits` bits, printed in decimal.
    UInt { bits: u8 },
    /// Signed 32-bit integer, printed in decimal.
    Int32,
    /// Signed 8-bit integer (dBm), printed in decimal; an Int32 column.
    Int8,
    /// Single-precision number (FT_FLOAT), printed with 6 significant digits; a Float64 column.
    Float,
    /// Unsigned integer of `bits` bits, printed as `0x` and `digits` hex digits.
    Hex { bits: u8, digits: u8 },
    /// Boolean flag, printed `1` or `0`.
    Bool,
    /// 6-byte MAC address, printed `aa:bb:cc:dd:ee:ff`.
    Mac,
    /// IPv4 address, dotted quad.
    Ipv4,
    /// IPv6 address, RFC 5952 text.
    Ipv6,
    /// Raw bytes, printed as hex without separators.
    Bytes,
    /// Text (FT_STRING, FT_STRINGZ), stored as UTF-8 (invalid sequences replaced as tshark does);
    /// printed with `\b \f \n \r \t` escaped; a String column.
    Str,
    /// Absolute time (nanoseconds since the epoch), printed as seconds with 9 decimals.
    AbsTime,
    /// Time difference (nanoseconds), printed as seconds with 9 decimals.
    RelTime,
}

impl FieldType {
    /// Wireshark's name for the type, as `tshark -G fields` prints it.
    pub fn wireshark_name(self) -> &'static str {
        match self {
            FieldType::UInt { bits: 8 } | FieldType::Hex { bits: 8, .. } => "FT_UINT8",
            FieldType::UInt { bits: 16 } | FieldType::Hex { bits: 16, .. } => "FT_UINT16",
            FieldType::UInt { bits: 24 } | FieldType::Hex { bits: 24, .. } => "FT_UINT24",
            FieldType::UInt { bits: 32 } | FieldType::Hex { bits: 32, .. } => "FT_UINT32",
            FieldType::UInt { .. } | FieldType::Hex { .. } => "FT_UINT64",
            FieldType::Int32 => "FT_INT32",
            FieldType::Int8 => "FT_INT8",
            FieldType::Float => "FT_FLOAT",
            FieldType::Bool => "FT_BOOLEAN",
            FieldType::Mac => "FT_ETHER",
            FieldType::Ipv4 => "FT_IPv4",
            FieldType::Ipv6 => "FT_IPv6",
            FieldType::Bytes => "FT_BYTES",
            FieldType::Str => "FT_STRING",
            FieldType::AbsTime | FieldType::RelTime => "FT_RELATIVE_TIME",
        }
    }
}

/// One registered field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// The Wireshark field name, e.g. `tcp.stream`.
    pub name: &'static str,
    /// The protocol it belongs to (`tcp`), as Wireshark names it.
    pub protocol: &'static str,
    /// Value type.
    pub ty: FieldType,
    /// What the field means.
    pub description: &'static str,
}

const fn u(bits: u8) -> FieldType {
    FieldType::UInt { bits }
}
const fn hex(bits: u8, digits: u8) -> FieldType {
    FieldType::Hex { bits, digits }
}
use FieldType::{AbsTime, Bool, Bytes, Float, Int32, Int8, Ipv4, Ipv6, Mac, RelTime, Str};

macro_rules! registry {
    ($($variant:ident = $name:literal, $proto:literal, $ty:expr, $desc:literal;)*) => {
        /// A registered field; `Field::TcpStream.def().name == "tcp.stream"`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum Field { $($variant),* }

        /// Every registered field, indexed by `Field as usize`.
        pub static FIELDS: &[FieldDef] = &[
            $(FieldDef { name: $name, protocol: $proto, ty: $ty, description: $desc }),*
        ];

        const ALL: &[Field] = &[$(Field::$variant),*];
    };
}

impl Field {
    /// The field's registry entry.
    #[inline]
    pub fn def(self) -> &'static FieldDef {
        &FIELDS[self as usize]
    }

    /// Position in [`FIELDS`].
    #[inline]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The field at a position in [`FIELDS`] (panics past the end: internal use only).
    #[inline]
    pub(crate) fn from_index(i: usize) -> Field {
        ALL[i]
    }
}

registry! {
    FrameNumber = "frame.number", "frame", u(64), "Frame number, counting from 1";
    FrameTimeEpoch = "frame.time_epoch", "frame", AbsTime, "Arrival time, seconds since 1970-01-01 UTC";
    FrameTimeRelative = "frame.time_relative", "frame", RelTime, "Seconds since the first frame";
    FrameTimeDelta = "frame.time_delta", "frame", RelTime, "Seconds since the previous captured frame";
    FrameLen = "frame.len", "frame", u(32), "Frame length on the wire";
    FrameCapLen = "frame.cap_len", "frame", u(32), "Captured length (less than frame.len when cut by the snaplen)";
    FrameInterfaceId = "frame.interface_id", "frame", u(32), "pcapng interface the frame was captured on";
    EthSrc = "eth.src", "eth", Mac, "Ethernet source address";
    EthDst = "eth.dst", "eth", Mac, "Ethernet destination address";
    EthType = "eth.type", "eth", hex(16, 4), "EtherType of the payload";
    EthPadding = "eth.padding", "eth", Bytes, "All-zero bytes after the payload (padding to the 60-byte minimum)";
    EthTrailer = "eth.trailer", "eth", Bytes, "Non-zero bytes after the payload (possibly leaked memory)";
    EthFcs = "eth.fcs", "eth", hex(32, 8), "Frame check sequence (last 4 bytes of frames of 64 bytes or more that carry extra bytes)";
    VlanId = "vlan.id", "vlan", u(16), "802.1Q VLAN identifier";
    VlanPriority = "vlan.priority", "vlan", u(8), "802.1Q priority code point";
    VlanEtype = "vlan.etype", "vlan", hex(16, 4), "EtherType after the 802.1Q tag";
    SllPkttype = "sll.pkttype", "sll", u(16), "Linux cooked capture packet type (0 to us, 4 sent by us, ...)";
    SllEtype = "sll.etype", "sll", hex(16, 4), "Linux cooked capture protocol";
    NullFamily = "null.family", "null", u(32), "BSD loopback address family";
    ArpOpcode = "arp.opcode", "arp", u(16), "ARP operation (1 request, 2 reply)";
    ArpSrcHwMac = "arp.src.hw_mac", "arp", Mac, "ARP sender MAC address";
    ArpSrcProtoIpv4 = "arp.src.proto_ipv4", "arp", Ipv4, "ARP sender IPv4 address";
    ArpDstHwMac = "arp.dst.hw_mac", "arp", Mac, "ARP target MAC address";
    ArpDstProtoIpv4 = "arp.dst.proto_ipv4", "arp", Ipv4, "ARP target IPv4 address";
    IpVersion = "ip.version", "ip", u(8), "IP version (4)";
    IpHdrLen = "ip.hdr_len", "ip", u(8), "IPv4 header length in bytes";
    IpDsfield = "ip.dsfield", "ip", hex(8, 2), "Differentiated services field (DSCP and ECN)";
    IpLen = "ip.len", "ip", u(16), "IPv4 total length";
    IpId = "ip.id", "ip", hex(16, 4), "IPv4 identification";
    IpFlags = "ip.flags", "ip", hex(8, 2), "IPv4 flags byte (reserved, DF, MF bits)";
    IpFlagsDf = "ip.flags.df", "ip", Bool, "Don't fragment";
    IpFlagsMf = "ip.flags.mf", "ip", Bool, "More fragments";
    IpFragOffset = "ip.frag_offset", "ip", u(16), "Fragment offset (in 8-byte units)";
    IpTtl = "ip.ttl", "ip", u(8), "Time to live";
    IpProto = "ip.proto", "ip", u(8), "Protocol of the payload (6 TCP, 17 UDP, 1 ICMP)";
    IpChecksum = "ip.checksum", "ip", hex(16, 4), "IPv4 header checksum";
    IpSrc = "ip.src", "ip", Ipv4, "IPv4 source address";
    IpDst = "ip.dst", "ip", Ipv4, "IPv4 destination address";
    Ipv6Src = "ipv6.src", "ipv6", Ipv6, "IPv6 source address";
    Ipv6Dst = "ipv6.dst", "ipv6", Ipv6, "IPv6 destination address";
    Ipv6Nxt = "ipv6.nxt", "ipv6", u(8), "IPv6 next header";
    Ipv6Plen = "ipv6.plen", "ipv6", u(16), "IPv6 payload length";
    Ipv6Hlim = "ipv6.hlim", "ipv6", u(8), "IPv6 hop limit";
    Ipv6Flow = "ipv6.flow", "ipv6", hex(24, 6), "IPv6 flow label";
    TcpSrcport = "tcp.srcport", "tcp", u(16), "TCP source port";
    TcpDstport = "tcp.dstport", "tcp", u(16), "TCP destination port";
    TcpStream = "tcp.stream", "tcp", u(32), "TCP conversation index, counting from 0 in order of first appearance";
    TcpLen = "tcp.len", "tcp", u(32), "TCP payload length (bounded by the IP length: padding is not payload)";
    TcpSeq = "tcp.seq", "tcp", u(32), "Sequence number relative to the direction's initial sequence number";
    TcpSeqRaw = "tcp.seq_raw", "tcp", u(32), "Sequence number as sent";
    TcpNxtseq = "tcp.nxtseq", "tcp", u(32), "Relative sequence number of the next segment";
    TcpAck = "tcp.ack", "tcp", u(32), "Acknowledgment number relative to the other direction's initial sequence number";
    TcpAckRaw = "tcp.ack_raw", "tcp", u(32), "Acknowledgment number as sent";
    TcpHdrLen = "tcp.hdr_len", "tcp", u(8), "TCP header length in bytes";
    TcpFlags = "tcp.flags", "tcp", hex(16, 4), "TCP flags (12 bits)";
    TcpFlagsSyn = "tcp.flags.syn", "tcp", Bool, "SYN flag";
    TcpFlagsAck = "tcp.flags.ack", "tcp", Bool, "ACK flag";
    TcpFlagsFin = "tcp.flags.fin", "tcp", Bool, "FIN flag";
    TcpFlagsReset = "tcp.flags.reset", "tcp", Bool, "RST flag";
    TcpFlagsPush = "tcp.flags.push", "tcp", Bool, "PSH flag";
    TcpWindowSizeValue = "tcp.window_size_value", "tcp", u(16), "Window field as sent";
    TcpWindowSize = "tcp.window_size", "tcp", u(32), "Window after scaling (as sent when the scale is unknown)";
    TcpWindowSizeScalefactor = "tcp.window_size_scalefactor", "tcp", Int32, "Window scaling multiplier (-1 unknown, -2 no scaling)";
    TcpChecksum = "tcp.checksum", "tcp", hex(16, 4), "TCP checksum";
    TcpUrgentPointer = "tcp.urgent_pointer", "tcp", u(16), "Urgent pointer";
    TcpOptionsMssVal = "tcp.options.mss_val", "tcp", u(16), "Maximum segment size option";
    TcpOptionsWscaleShift = "tcp.options.wscale.shift", "tcp", u(8), "Window scale option shift count";
    TcpOptionsTimestampTsval = "tcp.options.timestamp.tsval", "tcp", u(32), "Timestamp option value";
    // TCP analysis (../shared/fields/tcp-analysis.txt): tshark's one-pass sequence analysis.
    TcpAnalysisFlags = "tcp.analysis.flags", "tcp", Bool, "Present when the segment carries an analysis warning or note";
    TcpAnalysisRetransmission = "tcp.analysis.retransmission", "tcp", Bool, "Retransmission (fast and spurious ones too)";
    TcpAnalysisFastRetransmission = "tcp.analysis.fast_retransmission", "tcp", Bool, "Retransmission after the peer's duplicate ACKs";
    TcpAnalysisSpuriousRetransmission = "tcp.analysis.spurious_retransmission", "tcp", Bool, "Retransmission of data the peer had already acknowledged";
    TcpAnalysisOutOfOrder = "tcp.analysis.out_of_order", "tcp", Bool, "Segment behind the highest sequence seen, arriving within the initial RTT";
    TcpAnalysisLostSegment = "tcp.analysis.lost_segment", "tcp", Bool, "A gap before this segment: previous segment(s) not captured";
    TcpAnalysisAckLostSegment = "tcp.analysis.ack_lost_segment", "tcp", Bool, "Acknowledges data that was not captured";
    TcpAnalysisDuplicateAck = "tcp.analysis.duplicate_ack", "tcp", Bool, "Duplicate ACK (tshark prints it twice: 1,1)";
    TcpAnalysisDuplicateAckNum = "tcp.analysis.duplicate_ack_num", "tcp", u(32), "Number of this duplicate ACK (1 for the first)";
    TcpAnalysisDuplicateAckFrame = "tcp.analysis.duplicate_ack_frame", "tcp", u(64), "Frame of the ACK this one duplicates";
    TcpAnalysisZeroWindow = "tcp.analysis.zero_window", "tcp", Bool, "The sender advertises a zero receive window";
    TcpAnalysisZeroWindowProbe = "tcp.analysis.zero_window_probe", "tcp", Bool, "One byte sent into the peer's zero window";
    TcpAnalysisZeroWindowProbeAck = "tcp.analysis.zero_window_probe_ack", "tcp", Bool, "ACK of a zero-window probe";
    TcpAnalysisWindowFull = "tcp.analysis.window_full", "tcp", Bool, "The segment fills the peer's advertised window";
    TcpAnalysisWindowUpdate = "tcp.analysis.window_update", "tcp", Bool, "Pure ACK whose only news is a changed window";
    TcpAnalysisKeepAlive = "tcp.analysis.keep_alive", "tcp", Bool, "Keep-alive: zero or one byte one before the next expected sequence number";
    TcpAnalysisKeepAliveAck = "tcp.analysis.keep_alive_ack", "tcp", Bool, "ACK of a keep-alive";
    TcpAnalysisReusedPorts = "tcp.analysis.reused_ports", "tcp", Bool, "A SYN opening a new connection on an address/port pair seen before";
    TcpAnalysisAckRtt = "tcp.analysis.ack_rtt", "tcp", RelTime, "Seconds from the acknowledged segment to this ACK";
    TcpAnalysisAcksFrame = "tcp.analysis.acks_frame", "tcp", u(64), "Frame of the segment this ACK acknowledges";
    TcpAnalysisBytesInFlight = "tcp.analysis.bytes_in_flight", "tcp", u(32), "Bytes sent and not yet acknowledged, this segment's included";
    TcpAnalysisPushBytesSent = "tcp.analysis.push_bytes_sent", "tcp", u(32), "Bytes sent since the last PSH flag, this segment's included";
    TcpAnalysisInitialRtt = "tcp.analysis.initial_rtt", "tcp", RelTime, "Handshake round trip: SYN to the ACK of the SYN-ACK";
    TcpAnalysisRto = "tcp.analysis.rto", "tcp", RelTime, "Seconds since the first transmission of a retransmitted segment";
    TcpAnalysisRtoFrame = "tcp.analysis.rto_frame", "tcp", u(64), "Frame of the first transmission of a retransmitted segment";
    TcpTimeRelative = "tcp.time_relative", "tcp", RelTime, "Seconds since the first frame of this TCP stream";
    TcpTimeDelta = "tcp.time_delta", "tcp", RelTime, "Seconds since the previous frame of this TCP stream";
    TcpCompleteness = "tcp.completeness", "tcp", u(8), "Stream completeness before this frame: 1 SYN, 2 SYN-ACK, 4 ACK, 8 data, 16 FIN, 32 RST";
    TcpOptionsSackLe = "tcp.options.sack_le", "tcp", u(32), "SACK block left edge, relative (one per block)";
    TcpOptionsSackRe = "tcp.options.sack_re", "tcp", u(32), "SACK block right edge, relative (one per block)";
    TcpPayload = "tcp.payload", "tcp", Bytes, "TCP payload bytes (as captured)";
    UdpSrcport = "udp.srcport", "udp", u(16), "UDP source port";
    UdpDstport = "udp.dstport", "udp", u(16), "UDP destination port";
    UdpLength = "udp.length", "udp", u(16), "UDP length (header and payload)";
    UdpChecksum = "udp.checksum", "udp", hex(16, 4), "UDP checksum";
    UdpStream = "udp.stream", "udp", u(32), "UDP conversation index, counting from 0 in order of first appearance";
    IcmpType = "icmp.type", "icmp", u(8), "ICMP type";
    IcmpCode = "icmp.code", "icmp", u(8), "ICMP code";
    IcmpIdent = "icmp.ident", "icmp", u(16), "ICMP echo identifier (big-endian)";
    IcmpSeq = "icmp.seq", "icmp", u(16), "ICMP echo sequence number (big-endian)";
    Icmpv6Type = "icmpv6.type", "icmpv6", u(8), "ICMPv6 type";
    Icmpv6Code = "icmpv6.code", "icmpv6", u(8), "ICMPv6 code";
    // Link layers and tunnels (../shared/fields/links.txt).
    WlanFcTypeSubtype = "wlan.fc.type_subtype", "wlan", hex(16, 4), "802.11 frame type and subtype (type in the high byte)";
    WlanSa = "wlan.sa", "wlan", Mac, "802.11 source address";
    WlanDa = "wlan.da", "wlan", Mac, "802.11 destination address";
    WlanTa = "wlan.ta", "wlan", Mac, "802.11 transmitter address";
    WlanRa = "wlan.ra", "wlan", Mac, "802.11 receiver address";
    WlanBssid = "wlan.bssid", "wlan", Mac, "802.11 BSS identifier";
    WlanSsid = "wlan.ssid", "wlan", Bytes, "Network name (SSID) in beacons and probes";
    WlanFcRetry = "wlan.fc.retry", "wlan", Bool, "802.11 retransmission flag";
    WlanFcProtected = "wlan.fc.protected", "wlan", Bool, "802.11 protected (encrypted) frame flag";
    RadiotapLength = "radiotap.length", "radiotap", u(16), "Radiotap header length";
    RadiotapDbmAntsignal = "radiotap.dbm_antsignal", "radiotap", Int8, "Antenna signal in dBm (one per antenna)";
    WlanRadioChannel = "wlan_radio.channel", "wlan_radio", u(32), "802.11 channel number";
    WlanRadioFrequency = "wlan_radio.frequency", "wlan_radio", u(16), "Channel centre frequency in MHz";
    WlanRadioSignalDbm = "wlan_radio.signal_dbm", "wlan_radio", Int8, "Signal strength in dBm";
    WlanRadioDataRate = "wlan_radio.data_rate", "wlan_radio", Float, "Data rate in Mb/s";
    LlcDsap = "llc.dsap", "llc", hex(8, 2), "LLC destination service access point (0xaa SNAP, 0x42 spanning tree)";
    LlcType = "llc.type", "llc", hex(16, 4), "EtherType in an LLC/SNAP header";
    PppoeSessionId = "pppoe.session_id", "pppoe", hex(16, 4), "PPPoE session identifier";
    PppProtocol = "ppp.protocol", "ppp", hex(16, 4), "PPP protocol of the payload (0x0021 IPv4, 0xc021 LCP)";
    GreProto = "gre.proto", "gre", hex(16, 4), "Protocol carried by GRE (an EtherType)";
    VxlanVni = "vxlan.vni", "vxlan", u(24), "VXLAN network identifier";
    GeneveVni = "geneve.vni", "geneve", hex(24, 6), "GENEVE virtual network identifier";
    MplsLabel = "mpls.label", "mpls", u(32), "MPLS label (one per label stack entry)";
    // Application layer (../shared/fields/app.txt).
    HttpRequest = "http.request", "http", Bool, "An HTTP request (on the frame that completes it)";
    HttpResponse = "http.response", "http", Bool, "An HTTP response (on the frame that completes it)";
    HttpRequestMethod = "http.request.method", "http", Str, "HTTP request method (GET, POST, ...)";
    HttpRequestUri = "http.request.uri", "http", Str, "HTTP request target as sent";
    HttpRequestVersion = "http.request.version", "http", Str, "HTTP version of a request line";
    HttpRequestFullUri = "http.request.full_uri", "http", Str, "http:// + Host + request URI (only with a Host header)";
    HttpHost = "http.host", "http", Str, "Host header";
    HttpUserAgent = "http.user_agent", "http", Str, "User-Agent header";
    HttpReferer = "http.referer", "http", Str, "Referer header";
    HttpCookie = "http.cookie", "http", Str, "Cookie header";
    HttpAuthorization = "http.authorization", "http", Str, "Authorization header";
    HttpAuthbasic = "http.authbasic", "http", Str, "Decoded user:password of Basic authorization";
    HttpResponseCode = "http.response.code", "http", u(16), "HTTP status code";
    HttpResponsePhrase = "http.response.phrase", "http", Str, "HTTP reason phrase";
    HttpResponseVersion = "http.response.version", "http", Str, "HTTP version of a status line";
    HttpContentType = "http.content_type", "http", Str, "Content-Type header";
    HttpContentLength = "http.content_length", "http", u(64), "Content-Length header";
    HttpServer = "http.server", "http", Str, "Server header";
    HttpSetCookie = "http.set_cookie", "http", Str, "Set-Cookie header (one per header)";
    HttpLocation = "http.location", "http", Str, "Location header";
    HttpResponseForUri = "http.response_for.uri", "http", Str, "Full URI of the last request on the connection (on responses)";
    HttpTime = "http.time", "http", RelTime, "Seconds from the request to this response";
    HttpRequestIn = "http.request_in", "http", u(64), "Frame of the request this response answers";
    HttpFileData = "http.file_data", "http", Str, "Message body (de-chunked, decompressed), up to its first NUL byte";
    HttpXForwardedFor = "http.x_forwarded_for", "http", Str, "X-Forwarded-For header";
    DnsId = "dns.id", "dns", hex(16, 4), "DNS transaction ID";
    DnsFlagsResponse = "dns.flags.response", "dns", Bool, "DNS message is a response";
    DnsFlagsOpcode = "dns.flags.opcode", "dns", u(16), "DNS opcode (0 standard query)";
    DnsFlagsRcode = "dns.flags.rcode", "dns", u(16), "DNS reply code (responses only: 0 no error, 3 no such name)";
    DnsQryName = "dns.qry.name", "dns", Str, "Queried name";
    DnsQryType = "dns.qry.type", "dns", u(16), "Queried record type (1 A, 28 AAAA, ...)";
    DnsQryClass = "dns.qry.class", "dns", hex(16, 4), "Queried class (0x0001 IN)";
    DnsCountQueries = "dns.count.queries", "dns", u(16), "Number of questions";
    DnsCountAnswers = "dns.count.answers", "dns", u(16), "Number of answer records";
    DnsRespName = "dns.resp.name", "dns", Str, "Owner name of a resource record (one per record)";
    DnsRespType = "dns.resp.type", "dns", u(16), "Type of a resource record (one per record)";
    DnsRespTtl = "dns.resp.ttl", "dns", u(32), "Time to live of a resource record (one per record)";
    DnsA = "dns.a", "dns", Ipv4, "IPv4 address of an A record";
    DnsAaaa = "dns.aaaa", "dns", Ipv6, "IPv6 address of an AAAA record";
    DnsCname = "dns.cname", "dns", Str, "Canonical name of a CNAME record";
    DnsNs = "dns.ns", "dns", Str, "Name server of an NS record";
    DnsMxMailExchange = "dns.mx.mail_exchange", "dns", Str, "Mail exchanger of an MX record";
    DnsTxt = "dns.txt", "dns", Str, "Text of a TXT record (one per string)";
    DnsPtrDomainName = "dns.ptr.domain_name", "dns", Str, "Domain name of a PTR record";
    DnsTime = "dns.time", "dns", RelTime, "Seconds from the query to this response";
    DnsResponseTo = "dns.response_to", "dns", u(64), "Frame of the query this response answers";
    TlsRecordContentType = "tls.record.content_type", "tls", u(8), "TLS record type (20 change cipher spec, 21 alert, 22 handshake, 23 application data)";
    TlsRecordVersion = "tls.record.version", "tls", hex(16, 4), "TLS record-layer version";
    TlsHandshakeType = "tls.handshake.type", "tls", u(8), "TLS handshake message type (1 ClientHello, 2 ServerHello, 11 Certificate, ...)";
    TlsHandshakeVersion = "tls.handshake.version", "tls", hex(16, 4), "Version in a ClientHello or ServerHello (0x0303 for TLS 1.3 too)";
    TlsHandshakeExtensionsServerName = "tls.handshake.extensions_server_name", "tls", Str, "Server name (SNI) a client asked for";
    TlsHandshakeCiphersuite = "tls.handshake.ciphersuite", "tls", hex(16, 4), "Cipher suite offered (ClientHello, one per suite) or chosen (ServerHello)";
    TlsHandshakeExtensionsAlpnStr = "tls.handshake.extensions_alpn_str", "tls", Str, "ALPN protocol (one per protocol)";
    TlsHandshakeExtensionsSupportedVersion = "tls.handshake.extensions.supported_version", "tls", hex(16, 4), "Supported version (one per version; the real TLS 1.3 version)";
    TlsHandshakeJa3 = "tls.handshake.ja3", "tls", Str, "JA3 fingerprint of a ClientHello (MD5 hex)";
    TlsHandshakeJa3Full = "tls.handshake.ja3_full", "tls", Str, "JA3 string of a ClientHello";
    TlsHandshakeJa3s = "tls.handshake.ja3s", "tls", Str, "JA3S fingerprint of a ServerHello (MD5 hex)";
    TlsHandshakeJa3sFull = "tls.handshake.ja3s_full", "tls", Str, "JA3S string of a ServerHello";
    DhcpType = "dhcp.type", "dhcp", u(8), "BOOTP message type (1 request, 2 reply)";
    DhcpHwMacAddr = "dhcp.hw.mac_addr", "dhcp", Mac, "Client hardware (MAC) address";
    DhcpIpClient = "dhcp.ip.client", "dhcp", Ipv4, "Client IP address (ciaddr)";
    DhcpIpYour = "dhcp.ip.your", "dhcp", Ipv4, "Your (client) IP address offered (yiaddr)";
    DhcpOptionDhcp = "dhcp.option.dhcp", "dhcp", u(8), "DHCP message type (1 Discover, 2 Offer, 3 Request, 5 ACK, ...)";
    DhcpOptionHostname = "dhcp.option.hostname", "dhcp", Str, "Host name option (12)";
    DhcpOptionRequestedIpAddress = "dhcp.option.requested_ip_address", "dhcp", Ipv4, "Requested IP address option (50)";
    DhcpOptionVendorClassId = "dhcp.option.vendor_class_id", "dhcp", Str, "Vendor class identifier option (60)";
    DhcpOptionDomainName = "dhcp.option.domain_name", "dhcp", Str, "Domain name option (15)";
    DhcpOptionDhcpServerId = "dhcp.option.dhcp_server_id", "dhcp", Ipv4, "DHCP server identifier option (54)";
    FtpRequestCommand = "ftp.request.command", "ftp", Str, "FTP command";
    FtpRequestArg = "ftp.request.arg", "ftp", Str, "FTP command argument";
    FtpResponseCode = "ftp.response.code", "ftp", u(32), "FTP reply code";
    FtpResponseArg = "ftp.response.arg", "ftp", Str, "FTP reply text";
    SmtpReqCommand = "smtp.req.command", "smtp", Str, "SMTP command";
    SmtpReqParameter = "smtp.req.parameter", "smtp", Str, "SMTP command parameter";
    SmtpResponseCode = "smtp.response.code", "smtp", u(32), "SMTP reply code";
    SmtpRspParameter = "smtp.rsp.parameter", "smtp", Str, "SMTP reply text";
}
