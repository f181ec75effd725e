//! IEEE 802.11 frames, alone (LINKTYPE 105), behind a radiotap header (127) or behind a PPI
//! header (192), with the values tshark 4.0 shows for them.
//!
//! What tshark shows, learnt from its output:
//!
//! - `wlan.fc.type_subtype` is `type << 4 | subtype` (`0x0160 | n` for control frame extension
//!   `n`); a control wrapper shows its own and its carried frame's. `wlan.ra`/`ta`/`sa`/`da`/
//!   `bssid` name addresses 1 to 4 by frame type and the To DS/From DS bits, each once its bytes
//!   are captured; an A-MSDU adds each subframe's DA and SA, and drops the header's DA/SA that
//!   the subframes replace. A QoS data frame cut inside its header shows nothing, nor does a
//!   protocol version 2 or 3; version 1 (802.11ah) shows a few addresses only.
//! - `wlan.ssid` (bytes, printed in hex; an empty one as `<MISSING>`) comes from the first SSID
//!   element of a management body, from each nontransmitted profile of a Multiple BSSID element,
//!   and from every entry of an SSID List.
//! - A protected frame, or a fragment with more to follow, shows its header only; a data frame's
//!   body goes to LLC (after a mesh control field, or A-MSDU subframe headers).
//! - radiotap: `radiotap.dbm_antsignal` for every antenna-signal field of every radiotap
//!   namespace; decoding stops at the first unknown field or at a field past the header, and the
//!   802.11 frame starts at the header length whatever happened.
//! - `wlan_radio.*` summarise the radio header: the last dBm signal, the channel frequency and its
//!   number, and a data rate computed from the last HT, VHT or HE field when its parameters are
//!   known and no channel field came after it, else the legacy rate.
//!
//! Not reproduced (tshark keeps state across frames): reassembly of 802.11 fragments and of
//! PPI-flagged A-MPDUs (whose subframes tshark shows together, with the last one).

use super::{link, llc, Ctx, MAX_DEPTH};
use crate::bytes::{array, be16, le16, le32, u8_at};
use crate::fields::{Field, Value};

/// `off` rounded up to a multiple of `align` (a power of two).
fn align_up(off: usize, align: usize) -> usize {
    (off + align - 1) & !(align - 1)
}

// ---------------------------------------------------------------------------------------------
// Radio information (wlan_radio)
// ---------------------------------------------------------------------------------------------

/// The PHY-specific parameters of the last MCS, VHT or HE radiotap field.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
enum Phy {
    /// No PHY field, or a channel, FHSS or XChannel field after the last one (tshark then
    /// takes the frame for a legacy PHY).
    #[default]
    Legacy,
    /// 2.4 GHz OFDM (ERP) per PPI's channel flags: tshark then takes a following 802.11n MAC
    /// field for MCS 0.
    Erp,
    /// Radiotap MCS field: known bits, flags, MCS index.
    Ht { known: u8, flags: u8, mcs: u8 },
    /// Radiotap VHT field: known bits, flags, bandwidth code, per-user MCS/NSS bytes.
    Vht { known: u16, flags: u8, bandwidth: u8, users: [u8; 4] },
    /// Radiotap HE field: data1, data2, data3, data5 and data6.
    He { data: [u16; 5] },
}

/// What a radio header says about the frame, as tshark's `wlan_radio` shows it.
#[derive(Debug, Clone, Copy, Default)]
struct Radio {
    /// Legacy rate in Mb/s (radiotap Rate; PPI's rate, already resolved).
    rate: Option<f32>,
    frequency: Option<u16>,
    /// Channel number, from the last frequency that has one or from an XChannel field.
    channel: Option<u32>,
    signal_dbm: Option<i8>,
    phy: Phy,
}

impl Radio {
    /// The data rate tshark shows: computed from the PHY fields when possible.
    fn data_rate(&self) -> Option<f32> {
        match self.phy {
            Phy::Legacy | Phy::Erp => self.rate,
            Phy::Ht { known, flags, mcs } => {
                if known & 0x07 != 0x07 {
                    return self.rate;
                }
                ht_rate(mcs, flags & 0x03 == 1, flags & 0x04 != 0).or(self.rate)
            }
            Phy::Vht { known, flags, bandwidth, users } => {
                if known & 0x44 != 0x44 {
                    return self.rate;
                }
                let sgi = flags & 0x04 != 0;
                users.iter().rev().find_map(|u| vht_rate(u >> 4, u & 0x0f, bandwidth, sgi)).or(self.rate)
            }
            Phy::He { data: [d1, d2, d3, d5, d6] } => {
                if d1 & 0x4020 != 0x4020 || d2 & 0x0002 == 0 {
                    return self.rate;
                }
                let mcs = ((d3 >> 8) & 0x0f) as u8;
                let rate = he_rate(mcs, (d5 & 0x0f) as u8, ((d5 >> 4) & 0x03) as u8, (d6 & 0x0f) as u8);
                // An impossible combination reads as rate 0, shown only over a legacy rate.
                rate.or(self.rate.map(|_| 0.0))
            }
        }
    }

    /// Notes a channel frequency (0 means none); its channel number, if it has one.
    fn set_frequency(&mut self, freq: u16) {
        if freq != 0 {
            self.frequency = Some(freq);
            if let Some(channel) = mhz_to_channel(freq) {
                self.channel = Some(channel);
            }
        }
    }

    /// Records the `wlan_radio` fields.
    fn emit(&self, ctx: &mut Ctx<'_>) {
        if let Some(rate) = self.data_rate() {
            ctx.out.push(Field::WlanRadioDataRate, Value::float(rate));
        }
        if let Some(channel) = self.channel {
            ctx.out.uint(Field::WlanRadioChannel, channel);
        }
        if let Some(freq) = self.frequency {
            ctx.out.uint(Field::WlanRadioFrequency, freq);
        }
        if let Some(signal) = self.signal_dbm {
            ctx.out.push(Field::WlanRadioSignalDbm, Value::Int(i64::from(signal)));
        }
    }
}

/// The channel number of a centre frequency in MHz (2.4, 4.9, 5 and 6 GHz bands).
fn mhz_to_channel(mhz: u16) -> Option<u32> {
    let f = u32::from(mhz);
    match f {
        2412..=2472 => Some((f - 2407) / 5),
        2484 => Some(14),
        4910..=4980 => Some((f - 4000) / 5),
        5000..=5925 => Some((f - 5000) / 5),
        5950..=7125 => Some((f - 5950) / 5),
        _ => None,
    }
}

/// Data bits per OFDM symbol of an HT MCS at 20 MHz (unequal-modulation MCSs 33 to 75 included;
/// tshark knows no MCS 76).
fn ht_bits_per_symbol(mcs: u8) -> Option<u32> {
    const PER_STREAM: [u32; 8] = [26, 52, 78, 104, 156, 208, 234, 260];
    const UNEQUAL: [u32; 43] = [
        156, 208, 260, 234, 312, 390, 208, 260, 260, 312, 364, 364, 416, 312, 390, 390, 468, 546, 546, 624, 260, 312,
        364, 312, 364, 416, 468, 416, 468, 520, 520, 572, 390, 468, 546, 468, 546, 624, 702, 624, 702, 780, 780,
    ];
    match mcs {
        0..=31 => Some(PER_STREAM[usize::from(mcs % 8)] * (u32::from(mcs / 8) + 1)),
        32 => Some(12),
        33..=75 => Some(UNEQUAL[usize::from(mcs - 33)]),
        _ => None,
    }
}

/// The HT data rate in Mb/s (40 MHz scales the 52 data subcarriers to 108).
fn ht_rate(mcs: u8, bw40: bool, short_gi: bool) -> Option<f32> {
    let mut bits = f64::from(ht_bits_per_symbol(mcs)?);
    if bw40 {
        bits = bits * 108.0 / 52.0;
    }
    Some((bits / if short_gi { 3.6 } else { 4.0 }) as f32)
}

/// Coded bits per subcarrier times the coding rate, for VHT and HE MCSs 0 to 11.
const BITS_PER_SUBCARRIER: [f64; 12] = [0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 4.5, 5.0, 6.0, 20.0 / 3.0, 7.5, 25.0 / 3.0];

/// The VHT data rate in Mb/s of one user, or `None` for an absent user or a combination the
/// standard forbids.
fn vht_rate(mcs: u8, nss: u8, bandwidth: u8, short_gi: bool) -> Option<f32> {
    // Width index (20, 40, 80, 160 MHz) of each radiotap VHT bandwidth code.
    const WIDTH: [u8; 26] = [0, 1, 0, 0, 2, 1, 1, 0, 0, 0, 0, 3, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    const SUBCARRIERS: [u32; 4] = [52, 108, 234, 468];
    // The bandwidth is the low 5 bits of its byte.
    let width = *WIDTH.get(usize::from(bandwidth & 0x1f))?;
    let forbidden = match width {
        0 => mcs == 9 && nss != 3 && nss != 6,
        2 => (mcs == 6 && (nss == 3 || nss == 7)) || (mcs == 9 && nss == 6),
        3 => mcs == 9 && nss == 3,
        _ => false,
    };
    if mcs > 9 || nss == 0 || forbidden {
        return None;
    }
    let bits = f64::from(u32::from(nss) * SUBCARRIERS[usize::from(width)]) * BITS_PER_SUBCARRIER[usize::from(mcs)];
    Some((bits / if short_gi { 3.6 } else { 4.0 }) as f32)
}

/// The HE data rate in Mb/s, rounded half up to 0.1 as the standard's tables are; `None` when a
/// parameter is out of range.
fn he_rate(mcs: u8, bandwidth: u8, gi: u8, nss: u8) -> Option<f32> {
    // Data subcarriers of 20/40/80/160 MHz, then of 26/52/106/242/484/996-tone RUs.
    const TONES: [u64; 10] = [234, 468, 980, 1960, 24, 48, 102, 234, 468, 980];
    // Bits per subcarrier as numerator/denominator, so that the rounding is exact.
    const BITS: [(u64, u64); 12] =
        [(1, 2), (1, 1), (3, 2), (2, 1), (3, 1), (4, 1), (9, 2), (5, 1), (6, 1), (20, 3), (15, 2), (25, 3)];
    // Symbol durations in 0.1 µs: 12.8 µs plus a 0.8, 1.6 or 3.2 µs guard interval.
    const SYMBOL: [u64; 3] = [136, 144, 160];
    let tones = *TONES.get(usize::from(bandwidth))?;
    let (num, den) = *BITS.get(usize::from(mcs))?;
    let symbol = *SYMBOL.get(usize::from(gi))?;
    if !(1..=8).contains(&nss) {
        return None;
    }
    // Rate in 0.1 Mb/s = tones * nss * bits * 100 / symbol, rounded half up.
    let p = tones * u64::from(nss) * num * 100;
    let q = den * symbol;
    let tenths = (2 * p + q) / (2 * q);
    Some((tenths as f64 / 10.0) as f32)
}

// ---------------------------------------------------------------------------------------------
// Radiotap
// ---------------------------------------------------------------------------------------------

const PRESENT_TLV: u32 = 1 << 28;
const PRESENT_RADIOTAP_NS: u32 = 1 << 29;
const PRESENT_VENDOR_NS: u32 = 1 << 30;
const PRESENT_EXT: u32 = 1 << 31;

const RT_FLAGS: u32 = 1;
const RT_RATE: u32 = 2;
const RT_CHANNEL: u32 = 3;
const RT_FHSS: u32 = 4;
const RT_DBM_ANTSIGNAL: u32 = 5;
const RT_XCHANNEL: u32 = 18;
const RT_MCS: u32 = 19;
const RT_VHT: u32 = 21;
const RT_HE: u32 = 23;
const RT_ZERO_LENGTH_PSDU: u32 = 26;

/// Radiotap flags: the frame ends with a 4-byte FCS.
const FLAG_FCS: u8 = 0x10;
/// Radiotap flags: padding between the 802.11 header and body, to a 32-bit boundary.
const FLAG_DATA_PAD: u8 = 0x20;

/// Alignment and size of a field of the radiotap namespace; `None` for fields whose layout tshark
/// does not know (HE-MU-other-user, TLVs, undefined bits), where decoding stops.
fn radiotap_layout(bit: u32) -> Option<(usize, usize)> {
    Some(match bit {
        0 => (8, 8),                                 // TSFT
        1 | 2 | 5 | 6 | 10..=13 | 16 | 17 => (1, 1), // flags, rate, dBm/dB signals, antenna, retries
        3 => (2, 4),                                 // channel
        4 | 7..=9 | 14 | 15 => (2, 2),               // FHSS, lock quality, TX attenuations, RX/TX flags
        18 | 20 => (4, 8),                           // XChannel, A-MPDU status
        19 => (1, 3),                                // MCS
        21 | 23 | 24 => (2, 12),                     // VHT, HE, HE-MU
        22 => (8, 12),                               // timestamp
        26 => (1, 1),                                // 0-length PSDU
        27 => (2, 4),                                // L-SIG
        _ => return None,
    })
}

/// Where the presence words of a radiotap header end, if tshark accepts them: they all lie
/// within `hdr`, none announces both a radiotap and a vendor namespace, and the TLV bit (28) is
/// set in no word from the third to the one before last. Otherwise tshark decodes no field.
fn presence_end(hdr: &[u8]) -> Option<usize> {
    let mut off = 4;
    loop {
        let word = le32(hdr, off)?;
        let index = (off - 4) / 4;
        off += 4;
        if word & PRESENT_RADIOTAP_NS != 0 && word & PRESENT_VENDOR_NS != 0 {
            return None;
        }
        if word & PRESENT_EXT == 0 {
            return Some(off);
        }
        if index >= 2 && word & PRESENT_TLV != 0 {
            return None;
        }
    }
}

/// The namespace the presence bits being walked belong to.
#[derive(Clone, Copy)]
enum Namespace {
    /// Radiotap fields; `base` is 32 times the number of extension words so far.
    Radiotap { base: u32 },
    /// A vendor's fields, skipped: their data ends at `data_end`; `words_with_fields` counts
    /// the presence words that announced any.
    Vendor { data_end: usize, words_with_fields: u8 },
}

/// Walks the fields of a radiotap header (`hdr`, cut to the header length), calling `visit`
/// with each radiotap-namespace field's bit number and bytes, in order. Stops at an unknown
/// field or at a field past the header; vendor namespaces are skipped by their skip length.
fn walk_radiotap(hdr: &[u8], mut visit: impl FnMut(u32, &[u8])) {
    let Some(mut pos) = presence_end(hdr) else { return };
    let mut word_off = 4;
    let mut ns = Namespace::Radiotap { base: 0 };
    loop {
        let Some(word) = le32(hdr, word_off) else { return };
        let has_fields = word & 0x1fff_ffff != 0;
        match &mut ns {
            Namespace::Radiotap { base } => {
                for bit in (0..29).filter(|b| word & (1 << b) != 0) {
                    let Some((align, size)) = radiotap_layout(*base + bit) else { return };
                    pos = align_up(pos, align);
                    let Some(field) = hdr.get(pos..pos + size) else { return };
                    visit(*base + bit, field);
                    pos += size;
                }
            }
            Namespace::Vendor { data_end, words_with_fields } => {
                if has_fields {
                    // tshark gives up on vendor fields announced in a second presence word.
                    if *words_with_fields > 0 {
                        return;
                    }
                    *words_with_fields += 1;
                    pos = *data_end;
                }
            }
        }
        if word & PRESENT_VENDOR_NS != 0 {
            // The vendor namespace field: OUI, sub-namespace, skip length; its data follows.
            pos = align_up(pos, 2);
            let Some(skip) = le16(hdr, pos + 4) else { return };
            pos += 6;
            let data_end = pos + usize::from(skip);
            if data_end > hdr.len() {
                return;
            }
            pos = data_end;
            ns = Namespace::Vendor { data_end, words_with_fields: 0 };
        } else if word & PRESENT_RADIOTAP_NS != 0 {
            ns = Namespace::Radiotap { base: 0 };
        } else if let Namespace::Radiotap { base } = &mut ns {
            *base += 32;
        }
        if word & PRESENT_EXT == 0 {
            return;
        }
        word_off += 4;
    }
}

/// The facts of a radiotap header that matter here.
#[derive(Debug, Default)]
struct RadiotapInfo {
    radio: Radio,
    flags: u8,
    zero_length_psdu: bool,
}

impl RadiotapInfo {
    /// Takes in one radiotap field (its bit number and bytes).
    fn field(&mut self, ctx: &mut Ctx<'_>, bit: u32, f: &[u8]) {
        let radio = &mut self.radio;
        match bit {
            RT_FLAGS => self.flags = f[0],
            RT_RATE => radio.rate = Some(f32::from(f[0]) / 2.0),
            RT_CHANNEL => {
                radio.set_frequency(le16(f, 0).unwrap_or(0));
                radio.phy = Phy::Legacy;
            }
            RT_FHSS => radio.phy = Phy::Legacy,
            RT_DBM_ANTSIGNAL => {
                let dbm = f[0] as i8;
                ctx.out.push(Field::RadiotapDbmAntsignal, Value::Int(i64::from(dbm)));
                radio.signal_dbm = Some(dbm);
            }
            RT_XCHANNEL => {
                radio.set_frequency(le16(f, 4).unwrap_or(0));
                radio.channel = Some(u32::from(f[6]));
                if xchannel_is_legacy(le32(f, 0).unwrap_or(0)) {
                    radio.phy = Phy::Legacy;
                }
            }
            RT_MCS if f[0] != 0 => radio.phy = Phy::Ht { known: f[0], flags: f[1], mcs: f[2] },
            RT_VHT => {
                let known = le16(f, 0).unwrap_or(0);
                radio.phy = Phy::Vht { known, flags: f[2], bandwidth: f[3], users: [f[4], f[5], f[6], f[7]] };
            }
            RT_HE => {
                let word = |i: usize| le16(f, 2 * i).unwrap_or(0);
                radio.phy = Phy::He { data: [word(0), word(1), word(2), word(4), word(5)] };
            }
            RT_ZERO_LENGTH_PSDU => self.zero_length_psdu = true,
            _ => {}
        }
    }
}

/// Whether XChannel flags name a legacy PHY (11b, 11g, 11a, FHSS), which tshark then takes over
/// an earlier MCS/VHT/HE field; HT channel flags and unknown combinations leave it.
fn xchannel_is_legacy(flags: u32) -> bool {
    const HT_CHANNEL: u32 = 0x7_0000;
    flags & HT_CHANNEL == 0 && matches!(flags & 0x0df0, 0x0080 | 0x00a0 | 0x00c0 | 0x0480 | 0x0140 | 0x0880)
}

/// A radiotap header and the 802.11 frame after it.
pub(crate) fn radiotap(ctx: &mut Ctx<'_>, data: &[u8]) {
    let (Some(version), Some(len)) = (u8_at(data, 0), le16(data, 2)) else { return };
    let len = usize::from(len);
    ctx.out.uint(Field::RadiotapLength, len as u64);
    if version != 0 {
        // A header version tshark does not know: none of its fields, but still the frame after it.
        ieee80211_frame(ctx, data.get(len..).unwrap_or(&[]), false, false);
        return;
    }
    if len < 8 || data.len() < len {
        return;
    }
    let mut info = RadiotapInfo::default();
    walk_radiotap(&data[..len], |bit, field| info.field(ctx, bit, field));
    if info.zero_length_psdu {
        return;
    }
    info.radio.emit(ctx);
    ieee80211_frame(ctx, &data[len..], info.flags & FLAG_FCS != 0, info.flags & FLAG_DATA_PAD != 0);
}

// ---------------------------------------------------------------------------------------------
// PPI
// ---------------------------------------------------------------------------------------------

const PPI_80211_COMMON: u16 = 2;
const PPI_80211N_MAC: u16 = 3;
const PPI_80211N_MAC_PHY: u16 = 4;
/// PPI 802.11n MAC flags (aggregate, more aggregates, delimiter CRC error) of an A-MPDU subframe
/// that is not the last: tshark holds it back to show it with the A-MPDU's last subframe.
const AMPDU_MORE: u32 = 0x30;
/// ... and of the last subframe, which tshark decodes as 802.11 whatever the header's DLT.
const AMPDU_LAST: u32 = 0x10;
const AMPDU_MASK: u32 = 0x70;
const DLT_IEEE802_11: u32 = 105;

/// What a PPI header's fields say.
#[derive(Debug, Default)]
struct PpiInfo {
    radio: Radio,
    fcs: bool,
    /// 802.11n MAC flags, masked with [`AMPDU_MASK`].
    ampdu: u32,
}

impl PpiInfo {
    /// Takes in one PPI field (type and data); tshark ignores fields of an unexpected length.
    fn field(&mut self, kind: u16, f: &[u8]) {
        match kind {
            PPI_80211_COMMON if f.len() == 20 => self.common(f),
            PPI_80211N_MAC if f.len() == 12 => {
                let flags = le32(f, 0).unwrap_or(0);
                // No MCS here: the one known before stays (an ERP channel reads as MCS 0).
                let mcs = match self.radio.phy {
                    Phy::Erp => Some(0),
                    Phy::Ht { known, mcs, .. } if known & 0x02 != 0 => Some(mcs),
                    _ => None,
                };
                self.ht(flags, mcs);
            }
            PPI_80211N_MAC_PHY if f.len() == 48 => self.ht(le32(f, 0).unwrap_or(0), Some(f[9])),
            _ => {}
        }
    }

    /// Notes an 802.11n MAC flags word (0x02 40 MHz, 0x04 short GI) and MCS: the frame is HT,
    /// and whether tshark holds it back for its A-MPDU.
    fn ht(&mut self, flags: u32, mcs: Option<u8>) {
        let ht_flags = if flags & 0x02 != 0 { 0x01 } else { 0 } | if flags & 0x04 != 0 { 0x04 } else { 0 };
        let known = if mcs.is_some() { 0x07 } else { 0x05 };
        self.radio.phy = Phy::Ht { known, flags: ht_flags, mcs: mcs.unwrap_or(0) };
        self.ampdu = flags & AMPDU_MASK;
    }

    /// The 802.11-common field: flags, rate, channel, signal (0 and -128 mean none).
    fn common(&mut self, f: &[u8]) {
        let flags = le16(f, 8).unwrap_or(0);
        self.fcs = flags & 0x0001 != 0;
        let rate = le16(f, 10).unwrap_or(0);
        if rate != 0 {
            self.radio.rate = Some(f32::from(rate) / 2.0);
        }
        self.radio.set_frequency(le16(f, 12).unwrap_or(0));
        let signal = f[18] as i8;
        if signal != 0 && signal != -128 {
            self.radio.signal_dbm = Some(signal);
        }
        // Channel flags (turbo, CCK, OFDM, 2 GHz, 5 GHz, dynamic CCK-OFDM, GFSK) of 2.4 GHz OFDM.
        let erp = matches!(le16(f, 14).unwrap_or(0) & 0x0df0, 0x00c0 | 0x00d0 | 0x0480 | 0x0880);
        self.radio.phy = if erp { Phy::Erp } else { Phy::Legacy };
    }
}

/// A PPI header and the frame after it (802.11, or any link type the header names).
pub(crate) fn ppi(ctx: &mut Ctx<'_>, data: &[u8]) {
    // tshark does not check the version.
    let (Some(flags), Some(hdr_len), Some(dlt)) = (u8_at(data, 1), le16(data, 2), le32(data, 4)) else { return };
    let mut info = PpiInfo::default();
    // Fields run while they start inside the header; the frame follows the last one.
    let mut off = 8;
    while off < usize::from(hdr_len) {
        let (Some(kind), Some(len)) = (le16(data, off), le16(data, off + 2)) else { return };
        let Some(field) = data.get(off + 4..off + 4 + usize::from(len)) else { return };
        info.field(kind, field);
        off += 4 + usize::from(len);
        if flags & 0x01 != 0 {
            off = align_up(off, 4);
        }
    }
    let frame = data.get(off..).unwrap_or(&[]);
    if info.ampdu == AMPDU_MORE {
        return;
    }
    if dlt == DLT_IEEE802_11 || info.ampdu == AMPDU_LAST {
        info.radio.emit(ctx);
        ieee80211_frame(ctx, frame, info.fcs, false);
    } else {
        ppi_payload(ctx, dlt, frame);
    }
}

/// A PPI payload of another link type, through the link-layer dispatch.
fn ppi_payload(ctx: &mut Ctx<'_>, dlt: u32, frame: &[u8]) {
    if ctx.depth >= MAX_DEPTH {
        return;
    }
    let wire_len = u32::try_from(ctx.wire_len_of(frame)).unwrap_or(u32::MAX);
    ctx.depth += 1;
    link::dissect(ctx, dlt, frame, wire_len);
    ctx.depth -= 1;
}

// ---------------------------------------------------------------------------------------------
// IEEE 802.11
// ---------------------------------------------------------------------------------------------

const TYPE_MANAGEMENT: u8 = 0;
const TYPE_CONTROL: u8 = 1;
const TYPE_DATA: u8 = 2;

const FLAG_TO_DS: u8 = 0x01;
const FLAG_FROM_DS: u8 = 0x02;
const FLAG_MORE_FRAGMENTS: u8 = 0x04;
const FLAG_RETRY: u8 = 0x08;
const FLAG_PROTECTED: u8 = 0x40;
const FLAG_ORDER: u8 = 0x80;

/// The frame control field.
#[derive(Debug, Clone, Copy)]
struct FrameControl {
    kind: u8,
    subtype: u8,
    flags: u8,
}

impl FrameControl {
    /// Parses the two frame-control bytes; `None` for a protocol version other than 0.
    fn parse(b0: u8, flags: u8) -> Option<FrameControl> {
        (b0 & 0x03 == 0).then_some(FrameControl { kind: (b0 >> 2) & 0x03, subtype: b0 >> 4, flags })
    }

    /// `wlan.fc.type_subtype`: a control frame extension also carries its own subtype.
    fn type_subtype(self) -> u16 {
        let base = u16::from(self.kind) << 4 | u16::from(self.subtype);
        if self.is_control_extension() {
            (base << 4) | u16::from(self.flags & 0x0f)
        } else {
            base
        }
    }

    /// A control frame extension, whose flags byte holds a subtype instead of flags.
    fn is_control_extension(self) -> bool {
        self.kind == TYPE_CONTROL && self.subtype == 6
    }

    /// Records type/subtype, and the retry and protected flags when the frame has them.
    fn emit(self, ctx: &mut Ctx<'_>) {
        ctx.out.uint(Field::WlanFcTypeSubtype, self.type_subtype());
        let s1g_beacon = self.kind == 3 && self.subtype == 1;
        if !self.is_control_extension() && !s1g_beacon {
            ctx.out.push(Field::WlanFcRetry, Value::Bool(self.flags & FLAG_RETRY != 0));
            ctx.out.push(Field::WlanFcProtected, Value::Bool(self.flags & FLAG_PROTECTED != 0));
        }
    }
}

/// An 802.11 frame; `fcs_at_end` when its last 4 bytes are the frame check sequence.
pub(crate) fn ieee80211(ctx: &mut Ctx<'_>, data: &[u8], fcs_at_end: bool) {
    ieee80211_frame(ctx, data, fcs_at_end, false);
}

/// An 802.11 frame; `data_pad` when radiotap says the body starts on a 32-bit boundary.
fn ieee80211_frame(ctx: &mut Ctx<'_>, data: &[u8], fcs_at_end: bool, data_pad: bool) {
    let (Some(b0), Some(flags)) = (u8_at(data, 0), u8_at(data, 1)) else { return };
    if b0 & 0x03 == 1 {
        pv1(ctx, b0, flags, data);
        return;
    }
    let Some(fc) = FrameControl::parse(b0, flags) else { return };
    // The header is read from all the bytes; the body stops at the FCS, the last 4 bytes on
    // the wire (not captured when the snaplen cut the frame).
    let body_end = if fcs_at_end { data.len().min(ctx.wire_len_of(data).saturating_sub(4)) } else { data.len() };
    match fc.kind {
        TYPE_MANAGEMENT => management(ctx, fc, data, body_end),
        TYPE_CONTROL => control(ctx, fc, data),
        TYPE_DATA => data_frame(ctx, fc, data, body_end, data_pad),
        _ => extension(ctx, fc, data),
    }
}

/// A protocol-version-1 (802.11ah) frame: tshark shows only its first full addresses, as RA
/// (address 1 at 2) or TA (address 2 at 4 when From DS; address 2 at 8 for type 3 and for
/// management subtype 2), a TA twice.
fn pv1(ctx: &mut Ctx<'_>, b0: u8, flags: u8, frame: &[u8]) {
    let kind = (b0 >> 2) & 0x07;
    let subtype = b0 >> 5;
    let from_ds = flags & 0x01 != 0;
    let ta_off = if kind == 3 || (kind == 1 && subtype == 2) {
        push_mac_at(ctx, Field::WlanRa, frame, 2);
        Some(8)
    } else if from_ds {
        Some(4)
    } else {
        if kind != 2 {
            push_mac_at(ctx, Field::WlanRa, frame, 2);
        }
        None
    };
    if let Some(ta) = ta_off.and_then(|off| mac_at(frame, off)) {
        push_mac(ctx, Field::WlanTa, ta);
        push_mac(ctx, Field::WlanTa, ta);
    }
}

/// Records the address at `off` in `field`, when captured.
fn push_mac_at(ctx: &mut Ctx<'_>, field: Field, frame: &[u8], off: usize) {
    if let Some(mac) = mac_at(frame, off) {
        push_mac(ctx, field, mac);
    }
}

/// The MAC address at `off`, if captured.
fn mac_at(frame: &[u8], off: usize) -> Option<[u8; 6]> {
    array(frame, off)
}

/// Records one address field occurrence.
fn push_mac(ctx: &mut Ctx<'_>, field: Field, mac: [u8; 6]) {
    ctx.out.push(field, Value::Mac(mac));
}

/// Records `wlan.ra` (address 1), when captured.
fn push_ra(ctx: &mut Ctx<'_>, frame: &[u8]) {
    if let Some(ra) = mac_at(frame, 4) {
        push_mac(ctx, Field::WlanRa, ra);
    }
}

/// A management frame: its addresses and, unless protected, the SSIDs of its body (which ends
/// at `body_end`).
fn management(ctx: &mut Ctx<'_>, fc: FrameControl, frame: &[u8], body_end: usize) {
    fc.emit(ctx);
    push_ra(ctx, frame);
    let (Some(a1), Some(a2), Some(a3), Some(_seq)) =
        (mac_at(frame, 4), mac_at(frame, 10), mac_at(frame, 16), array::<2>(frame, 22))
    else {
        return;
    };
    push_mac(ctx, Field::WlanDa, a1);
    push_mac(ctx, Field::WlanSa, a2);
    push_mac(ctx, Field::WlanBssid, a3);
    push_mac(ctx, Field::WlanTa, a2);
    if fc.flags & (FLAG_PROTECTED | FLAG_MORE_FRAGMENTS) != 0 {
        return;
    }
    let hdr_len = if fc.flags & FLAG_ORDER != 0 { 28 } else { 24 };
    let Some(fixed) = management_fixed_len(fc.subtype) else { return };
    if let Some(elements) = frame[..body_end].get(hdr_len + fixed..) {
        tagged_parameters(ctx, elements, &mut false);
    }
}

/// Length of the fixed parameters before the elements of a management subtype; `None` for
/// subtypes whose body is not a list of elements (ATIM, action, reserved).
fn management_fixed_len(subtype: u8) -> Option<usize> {
    Some(match subtype {
        0 => 4,       // association request: capabilities, listen interval
        1 | 3 => 6,   // (re)association response: capabilities, status, AID
        2 => 10,      // reassociation request: capabilities, listen interval, current AP
        4 => 0,       // probe request
        5 | 8 => 12,  // probe response, beacon: timestamp, interval, capabilities
        6 => 21,      // timing advertisement
        10 | 12 => 2, // disassociation, deauthentication: reason
        11 => 6,      // authentication: algorithm, sequence, status
        _ => return None,
    })
}

const ELEMENT_SSID: u8 = 0;
const ELEMENT_MULTIPLE_BSSID: u8 = 71;
const ELEMENT_SSID_LIST: u8 = 84;

/// Walks a list of elements, recording SSIDs as tshark shows them: the first SSID element of
/// the list (`ssid_seen` tells whether one came already), every SSID of an SSID List, and the
/// first SSID of each nontransmitted BSSID profile of a Multiple BSSID element (a profile starts
/// afresh, and its SSID counts as the list's). An element cut short ends the list, after what
/// was captured of an SSID List or Multiple BSSID element.
fn tagged_parameters(ctx: &mut Ctx<'_>, mut elements: &[u8], ssid_seen: &mut bool) {
    while let Some((id, body, complete)) = next_element(elements) {
        match id {
            ELEMENT_SSID if complete && !*ssid_seen => {
                ctx.out.bytes(Field::WlanSsid, body);
                *ssid_seen = true;
            }
            ELEMENT_SSID_LIST => ssid_list(ctx, body),
            ELEMENT_MULTIPLE_BSSID => multiple_bssid(ctx, body.get(1..).unwrap_or(&[]), ssid_seen),
            _ => {}
        }
        if !complete {
            return;
        }
        elements = &elements[2 + body.len()..];
    }
}

/// The first element (or subelement) of a list: its id, its body (what was captured of it), and
/// whether the body is complete (an element cut short ends the list).
fn next_element(list: &[u8]) -> Option<(u8, &[u8], bool)> {
    let len = usize::from(u8_at(list, 1)?);
    let body = &list[2..];
    Some((list[0], &body[..len.min(body.len())], len <= body.len()))
}

/// The elements of an SSID List, each shown as an SSID whatever its id.
fn ssid_list(ctx: &mut Ctx<'_>, mut elements: &[u8]) {
    while let Some((_, body, true)) = next_element(elements) {
        ctx.out.bytes(Field::WlanSsid, body);
        elements = &elements[2 + body.len()..];
    }
}

/// The subelements of a Multiple BSSID element (after its max-BSSID indicator); one cut short
/// is not decoded.
fn multiple_bssid(ctx: &mut Ctx<'_>, mut subelements: &[u8], ssid_seen: &mut bool) {
    const NONTRANSMITTED_PROFILE: u8 = 0;
    while let Some((id, body, true)) = next_element(subelements) {
        if id == NONTRANSMITTED_PROFILE {
            *ssid_seen = false;
            tagged_parameters(ctx, body, ssid_seen);
        }
        subelements = &subelements[2 + body.len()..];
    }
}

/// A control frame: RA, and TA or BSSID where the subtype has them.
fn control(ctx: &mut Ctx<'_>, fc: FrameControl, frame: &[u8]) {
    if fc.subtype == 7 {
        control_wrapper(ctx, fc, frame);
        return;
    }
    fc.emit(ctx);
    push_ra(ctx, frame);
    if fc.is_control_extension() {
        // Poll, SPR, Grant, DMG CTS, Grant Ack, SSW, SSW-Feedback, SSW-Ack carry a TA.
        if matches!(fc.flags & 0x0f, 2..=5 | 7..=10) {
            if let Some(ta) = mac_at(frame, 10) {
                push_mac(ctx, Field::WlanTa, ta);
            }
        }
        return;
    }
    control_addresses(ctx, fc.subtype, frame, 10);
}

/// The addresses after RA of a control subtype (address 2 at `a2_off`).
fn control_addresses(ctx: &mut Ctx<'_>, subtype: u8, frame: &[u8], a2_off: usize) {
    const PS_POLL: u8 = 10;
    const CF_END: u8 = 14;
    if subtype == PS_POLL {
        if let Some(bssid) = mac_at(frame, 4) {
            push_mac(ctx, Field::WlanBssid, bssid);
        }
    }
    let Some(a2) = mac_at(frame, a2_off) else { return };
    match subtype {
        // Trigger, TACK, BRP poll, NDP announcement, BAR, BA, PS-Poll, RTS, CF-End+CF-Ack.
        2..=5 | 8..=11 | 15 => push_mac(ctx, Field::WlanTa, a2),
        CF_END => push_mac(ctx, Field::WlanBssid, a2),
        _ => {}
    }
}

/// A control wrapper: its frame control, then the carried frame's (after address 1), an HT
/// control field, and the carried frame's remaining fields.
fn control_wrapper(ctx: &mut Ctx<'_>, fc: FrameControl, frame: &[u8]) {
    let (Some(c0), Some(cflags)) = (u8_at(frame, 10), u8_at(frame, 11)) else { return };
    fc.emit(ctx);
    let carried = FrameControl { kind: (c0 >> 2) & 0x03, subtype: c0 >> 4, flags: cflags };
    carried.emit(ctx);
    push_ra(ctx, frame);
    if carried.kind == TYPE_CONTROL {
        control_addresses(ctx, carried.subtype, frame, 16);
    }
}

/// An extension frame (type 3): DMG beacons name their BSSID in address 1.
fn extension(ctx: &mut Ctx<'_>, fc: FrameControl, frame: &[u8]) {
    fc.emit(ctx);
    push_ra(ctx, frame);
    let Some(a1) = mac_at(frame, 4) else { return };
    match fc.subtype {
        0 => push_mac(ctx, Field::WlanBssid, a1),
        1 => push_mac(ctx, Field::WlanSa, a1),
        _ => {}
    }
}

/// A data frame: addresses, then (unless protected, fragmented or without a body) its body, which
/// ends at `body_end`.
fn data_frame(ctx: &mut Ctx<'_>, fc: FrameControl, frame: &[u8], body_end: usize, data_pad: bool) {
    let ds = fc.flags & (FLAG_TO_DS | FLAG_FROM_DS);
    let qos = fc.subtype & 0x08 != 0;
    let addr_end = if ds == 3 { 30 } else { 24 };
    let mut hdr_len = addr_end + if qos { 2 } else { 0 };
    // tshark reads the QoS control field first: a QoS frame cut before it shows nothing.
    let qos_ctrl = if qos {
        let Some(q) = le16(frame, addr_end) else { return };
        q
    } else {
        0
    };
    fc.emit(ctx);
    push_ra(ctx, frame);
    if frame.len() < addr_end {
        return;
    }
    let has_body = fc.subtype & 0x04 == 0;
    let amsdu = has_body && qos_ctrl & 0x0080 != 0;
    data_addresses(ctx, ds, frame, amsdu);
    if qos && fc.flags & FLAG_ORDER != 0 {
        hdr_len += 4;
    }
    if data_pad {
        hdr_len = align_up(hdr_len, 4);
    }
    // A fragment followed by others is held for reassembly; a last fragment shows as it is.
    if !has_body || fc.flags & (FLAG_PROTECTED | FLAG_MORE_FRAGMENTS) != 0 {
        return;
    }
    let Some(body) = frame[..body_end].get(hdr_len..) else { return };
    if amsdu {
        amsdu_subframes(ctx, body);
        return;
    }
    let mesh = qos && qos_ctrl & 0x0100 != 0 && ds & FLAG_FROM_DS != 0;
    let body = if mesh { skip_mesh_control(body) } else { body };
    // Some drivers put 2 zero bytes before the LLC header: tshark skips them.
    let body = if body.starts_with(&[0, 0, 0xaa, 0xaa]) { &body[2..] } else { body };
    llc::dissect(ctx, body);
}

/// Records SA, DA, TA and BSSID of a data frame by its To DS/From DS bits. In an A-MSDU the
/// subframes carry the SA and DA that address 3 or 4 would; address 3 (and 4) are then BSSIDs.
fn data_addresses(ctx: &mut Ctx<'_>, ds: u8, frame: &[u8], amsdu: bool) {
    let addr = |i: usize| mac_at(frame, [4, 10, 16, 24][i]).unwrap_or_default();
    let (a1, a2, a3) = (addr(0), addr(1), addr(2));
    let (sa, da, bssid): (Option<_>, Option<_>, &[[u8; 6]]) = match (ds, amsdu) {
        (0, _) => (Some(a2), Some(a1), &[a3]),
        (1, false) => (Some(a2), Some(a3), &[a1]),
        (1, true) => (Some(a2), None, &[a1]),
        (2, false) => (Some(a3), Some(a1), &[a2]),
        (2, true) => (None, Some(a1), &[a2]),
        (_, false) => (Some(addr(3)), Some(a3), &[]),
        (_, true) => (None, None, &[a3, addr(3)]),
    };
    if let Some(sa) = sa {
        push_mac(ctx, Field::WlanSa, sa);
    }
    if let Some(da) = da {
        push_mac(ctx, Field::WlanDa, da);
    }
    push_mac(ctx, Field::WlanTa, a2);
    for b in bssid {
        push_mac(ctx, Field::WlanBssid, *b);
    }
}

/// The body after a mesh control field, if the body starts with a plausible one (flags with
/// only an address-extension mode of 0, 1 or 2); else the whole body.
fn skip_mesh_control(body: &[u8]) -> &[u8] {
    match u8_at(body, 0) {
        Some(flags @ 0..=2) => body.get(6 + 6 * usize::from(flags)..).unwrap_or(&[]),
        _ => body,
    }
}

/// The subframes of an A-MSDU: DA, SA, length, then an LLC payload, padded to 4 bytes.
fn amsdu_subframes(ctx: &mut Ctx<'_>, mut rest: &[u8]) {
    while let (Some(da), Some(sa), Some(len)) = (mac_at(rest, 0), mac_at(rest, 6), be16(rest, 12)) {
        push_mac(ctx, Field::WlanDa, da);
        push_mac(ctx, Field::WlanSa, sa);
        let end = (14 + usize::from(len)).min(rest.len());
        let payload = &rest[14..end];
        llc::dissect(ctx, payload);
        if llc_cut_short(payload) {
            // tshark's exception in the payload ends the A-MSDU.
            return;
        }
        rest = rest.get(align_up(14 + usize::from(len), 4)..).unwrap_or(&[]);
    }
}

/// Whether an LLC payload stops short of its LLC header, or of the IPv4/IPv6 header a SNAP
/// header announces (where tshark's dissection throws).
fn llc_cut_short(payload: &[u8]) -> bool {
    let Some(control) = u8_at(payload, 2) else { return true };
    if control & 0x03 != 0x03 {
        return payload.len() < 4;
    }
    if payload[..3] != [0xaa, 0xaa, 0x03] {
        return false;
    }
    let Some(ethertype) = be16(payload, 6) else { return true };
    let ip = &payload[8..];
    match ethertype {
        0x0800 => u8_at(ip, 0).is_none_or(|b| ip.len() < 20.max(usize::from(b & 0x0f) * 4)),
        0x86dd => ip.len() < 40,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a radiotap header from presence words and (alignment, bytes) fields.
    fn header(words: &[u32], fields: &[(usize, &[u8])]) -> Vec<u8> {
        let mut b = vec![0u8, 0, 0, 0];
        for w in words {
            b.extend_from_slice(&w.to_le_bytes());
        }
        for (align, data) in fields {
            b.resize(align_up(b.len(), *align), 0);
            b.extend_from_slice(data);
        }
        let len = b.len() as u16;
        b[2..4].copy_from_slice(&len.to_le_bytes());
        b
    }

    /// The (bit, bytes) fields the walk visits.
    fn walk(hdr: &[u8]) -> Vec<(u32, Vec<u8>)> {
        let mut seen = Vec::new();
        walk_radiotap(hdr, |bit, f| seen.push((bit, f.to_vec())));
        seen
    }

    const fn bit(n: u32) -> u32 {
        1 << n
    }

    #[test]
    fn alignment_is_relative_to_the_header_start() {
        // Flags at 8, channel aligned to 10, TSFT-free; then antenna signal at 14.
        let hdr = header(&[bit(1) | bit(3) | bit(5)], &[(1, &[0x10]), (2, &[0x85, 0x09, 0xa0, 0]), (1, &[0xc0])]);
        assert_eq!(walk(&hdr), vec![(1, vec![0x10]), (3, vec![0x85, 0x09, 0xa0, 0]), (5, vec![0xc0])],);
        // TSFT after two presence words starts at 16, not 12.
        let hdr = header(&[bit(0) | bit(29) | bit(31), bit(5)], &[(8, &[1; 8]), (1, &[0xc1])]);
        assert_eq!(hdr.len(), 25);
        assert_eq!(walk(&hdr), vec![(0, vec![1; 8]), (5, vec![0xc1])]);
    }

    #[test]
    fn extended_bitmaps_restart_the_radiotap_namespace() {
        // Intel-style: antenna signal in two radiotap namespaces.
        let hdr = header(&[bit(5) | bit(29) | bit(31), bit(5) | bit(11)], &[(1, &[0xba]), (1, &[0xbb, 0x01])]);
        assert_eq!(walk(&hdr), vec![(5, vec![0xba]), (5, vec![0xbb]), (11, vec![0x01])]);
        // A continuation word without bit 29 numbers its bits from 32: unknown, so the walk stops.
        let hdr = header(&[bit(5) | bit(31), bit(5)], &[(1, &[0xba]), (1, &[0xbb])]);
        assert_eq!(walk(&hdr), vec![(5, vec![0xba])]);
    }

    #[test]
    fn vendor_namespace_is_skipped_by_its_length() {
        let vendor = [0x00, 0x11, 0x22, 0x01, 0x03, 0x00];
        let hdr = header(
            &[bit(5) | bit(30) | bit(31), bit(0) | bit(29) | bit(31), bit(0) | bit(5)],
            &[(1, &[0xb0]), (2, &vendor), (1, b"VVV"), (8, &[7; 8]), (1, &[0xb2])],
        );
        assert_eq!(walk(&hdr), vec![(5, vec![0xb0]), (0, vec![7; 8]), (5, vec![0xb2])]);
        // Vendor fields announced in two presence words: tshark gives up.
        let vendor = [0x00, 0x11, 0x22, 0x01, 0x04, 0x00];
        let hdr = header(
            &[bit(5) | bit(30) | bit(31), bit(0) | bit(31), bit(3) | bit(29) | bit(31), bit(5)],
            &[(1, &[0xb0]), (2, &vendor), (1, b"VVVV"), (1, &[0xb2])],
        );
        assert_eq!(walk(&hdr), vec![(5, vec![0xb0])]);
    }

    #[test]
    fn walk_stops_at_unknown_fields_and_the_header_end() {
        // HE-MU-other-user (bit 25) is not decoded: nothing after it either.
        let hdr = header(&[bit(11) | bit(25) | bit(29) | bit(31), bit(5)], &[(1, &[1]), (2, &[0; 6]), (1, &[0xc5])]);
        assert_eq!(walk(&hdr), vec![(11, vec![1])]);
        // A field past the header length.
        let mut hdr = header(&[bit(1) | bit(2)], &[(1, &[0]), (1, &[2])]);
        hdr[2] = 9;
        assert_eq!(walk(&hdr[..9]), vec![(1, vec![0])]);
        // Presence words past the header, or radiotap and vendor namespace both next: nothing.
        assert!(walk(&header(&[bit(5) | bit(31)], &[])[..8]).is_empty());
        assert!(walk(&header(&[bit(5) | bit(29) | bit(30) | bit(31), bit(5)], &[(1, &[1])])).is_empty());
    }

    /// Runs `dissect` over `data` and returns the text of `field`'s occurrences, comma-joined.
    fn fields(dissect: fn(&mut Ctx<'_>, &[u8]), data: &[u8], field: Field) -> String {
        let mut out = crate::fields::FrameValues::new(crate::fields::FieldSet::all());
        let mut state =
            super::super::State::new(crate::track::TrackLimits::default(), false, &crate::fields::FieldSet::default());
        let mut ctx = Ctx {
            out: &mut out,
            state: &mut state,
            quoted: false,
            depth: 0,
            frame_end: data.as_ptr() as usize + data.len(),
            uncaptured: 0,
            meta: crate::track::FrameMeta::default(),
        };
        dissect(&mut ctx, data);
        let mut texts = Vec::new();
        for v in out.all(field) {
            let mut t = String::new();
            out.write_text(field, v, &mut t);
            texts.push(t);
        }
        texts.join(",")
    }

    /// A data frame with To DS/From DS bits `ds`, addresses `02:..:0n`, and an LLC/SNAP body.
    fn data_frame(ds: u8) -> Vec<u8> {
        let mut f = vec![0x08, ds, 0, 0];
        for n in 1..=3 {
            f.extend_from_slice(&[2, 0, 0, 0, 0, n]);
        }
        f.extend_from_slice(&[0x10, 0]);
        if ds == 3 {
            f.extend_from_slice(&[2, 0, 0, 0, 0, 4]);
        }
        f.extend_from_slice(&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x12, 0x34]);
        f
    }

    /// A bare 802.11 frame without FCS (LINKTYPE 105).
    fn plain(ctx: &mut Ctx<'_>, data: &[u8]) {
        ieee80211(ctx, data, false);
    }

    #[test]
    fn data_frame_addresses_follow_the_ds_bits() {
        let a = |n: u8| format!("02:00:00:00:00:0{n}");
        for (ds, sa, da, bssid) in [(0, 2, 1, "1"), (1, 2, 3, "1"), (2, 3, 1, "2"), (3, 4, 3, "")] {
            let f = data_frame(ds);
            assert_eq!(fields(plain, &f, Field::WlanSa), a(sa), "ds {ds}");
            assert_eq!(fields(plain, &f, Field::WlanDa), a(da), "ds {ds}");
            assert_eq!(fields(plain, &f, Field::WlanTa), a(2));
            assert_eq!(fields(plain, &f, Field::WlanRa), a(1));
            let bssid = match (ds, bssid) {
                (0, _) => a(3),
                (_, "") => String::new(),
                (_, n) => a(n.parse().unwrap()),
            };
            assert_eq!(fields(plain, &f, Field::WlanBssid), bssid, "ds {ds}");
            assert_eq!(fields(plain, &f, Field::LlcType), "0x1234");
        }
        // Cut before address 2: type/subtype and RA only.
        let f = data_frame(0);
        assert_eq!(fields(plain, &f[..12], Field::WlanFcTypeSubtype), "0x0020");
        assert_eq!(fields(plain, &f[..12], Field::WlanRa), a(1));
        assert_eq!(fields(plain, &f[..12], Field::WlanSa), "");
    }

    #[test]
    fn ssids_as_tshark_shows_them() {
        let mut beacon = vec![0x80, 0, 0, 0];
        beacon.extend_from_slice(&[0; 20]);
        beacon.extend_from_slice(&[0; 12]);
        // SSID "a", a second SSID (hidden), a Multiple BSSID profile with SSID "p", an SSID List.
        beacon.extend_from_slice(&[0, 1, b'a', 0, 1, b'b', 71, 6, 1, 0, 3, 0, 1, b'p', 84, 3, 0, 1, b'x']);
        assert_eq!(fields(plain, &beacon, Field::WlanSsid), "61,70,78");
    }

    #[test]
    fn radiotap_with_two_namespaces() {
        // Flags (FCS at end), rate 11 Mb/s, channel 2462, antenna signal; then a second radiotap
        // namespace with another antenna signal; then an ACK and its FCS.
        let mut frame = header(
            &[bit(1) | bit(2) | bit(3) | bit(5) | bit(29) | bit(31), bit(5)],
            &[(1, &[0x10]), (1, &[22]), (2, &[0x9e, 0x09, 0xa0, 0]), (1, &[0xba]), (1, &[0xba])],
        );
        frame.extend_from_slice(&[0xd4, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(fields(radiotap, &frame, Field::RadiotapDbmAntsignal), "-70,-70");
        assert_eq!(fields(radiotap, &frame, Field::WlanRadioSignalDbm), "-70");
        assert_eq!(fields(radiotap, &frame, Field::WlanRadioChannel), "11");
        assert_eq!(fields(radiotap, &frame, Field::WlanRadioDataRate), "11");
        assert_eq!(fields(radiotap, &frame, Field::WlanFcTypeSubtype), "0x001d");
        assert_eq!(fields(radiotap, &frame, Field::WlanRa), "02:00:00:00:00:01");
    }

    #[test]
    fn tlv_bit_in_a_middle_word_invalidates_the_header() {
        let words = [bit(5) | bit(29) | bit(31), bit(29) | bit(31), bit(28) | bit(29) | bit(31), 0];
        assert!(walk(&header(&words, &[(1, &[0xb0])])).is_empty());
        let words = [bit(5) | bit(29) | bit(31), bit(29) | bit(31), bit(28)];
        assert_eq!(walk(&header(&words, &[(1, &[0xb0])])), vec![(5, vec![0xb0])]);
    }

    /// A rate as tshark prints it (empty for none).
    fn text(rate: Option<f32>) -> String {
        let mut s = String::new();
        if let Some(r) = rate {
            crate::fields::write_float(r, &mut s);
        }
        s
    }

    #[test]
    fn ht_rates() {
        assert_eq!(text(ht_rate(7, false, false)), "65");
        assert_eq!(text(ht_rate(7, true, false)), "135");
        assert_eq!(text(ht_rate(7, false, true)), "72.2222");
        assert_eq!(text(ht_rate(15, true, true)), "300");
        assert_eq!(text(ht_rate(32, true, false)), "6.23077");
        assert_eq!(text(ht_rate(75, false, false)), "195");
        assert_eq!(ht_rate(76, false, false), None);
    }

    #[test]
    fn vht_rates() {
        assert_eq!(text(vht_rate(9, 1, 4, false)), "390");
        assert_eq!(text(vht_rate(9, 2, 4, true)), "866.667");
        assert_eq!(text(vht_rate(9, 3, 0, false)), "260");
        assert_eq!(vht_rate(9, 1, 0, false), None);
        assert_eq!(vht_rate(6, 3, 4, false), None);
        assert_eq!(text(vht_rate(0, 1, 2, false)), "6.5");
        assert_eq!(text(vht_rate(8, 8, 11, true)), "6240");
        assert_eq!(vht_rate(10, 1, 1, false), None);
        assert_eq!(vht_rate(0, 1, 26, false), None);
        // Only the low 5 bits of the bandwidth byte count: 0x44 is 80 MHz.
        assert_eq!(text(vht_rate(9, 1, 0x44, false)), "390");
    }

    #[test]
    fn he_rates_and_precedence() {
        assert_eq!(text(he_rate(7, 0, 0, 1)), "86");
        assert_eq!(text(he_rate(7, 1, 0, 2)), "344.1");
        assert_eq!(text(he_rate(0, 6, 0, 1)), "3.8");
        assert_eq!(text(he_rate(11, 3, 0, 1)), "1201");
        assert_eq!(he_rate(12, 0, 0, 1), None);
        let mut radio = Radio { rate: Some(1.0), ..Radio::default() };
        radio.phy = Phy::Ht { known: 0x07, flags: 0, mcs: 7 };
        assert_eq!(text(radio.data_rate()), "65");
        radio.phy = Phy::Ht { known: 0x02, flags: 0, mcs: 7 };
        assert_eq!(text(radio.data_rate()), "1");
        // VHT: the last user with a valid MCS/NSS.
        radio.phy = Phy::Vht { known: 0x44, flags: 0, bandwidth: 4, users: [0x91, 0x72, 0xf1, 0] };
        assert_eq!(text(radio.data_rate()), "585");
        // HE with an impossible MCS over a legacy rate reads 0.
        radio.phy = Phy::He { data: [0x4020, 0x0002, 12 << 8, 0, 1] };
        assert_eq!(text(radio.data_rate()), "0");
        assert_eq!(mhz_to_channel(2484), Some(14));
        assert_eq!(mhz_to_channel(5955), Some(1));
        assert_eq!(mhz_to_channel(2407), None);
    }
}
