//! Direction-independent conversation keys.

/// One side of a conversation: address (IPv4 mapped into 16 bytes) and port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// IPv6 address, or IPv4 as `::ffff:a.b.c.d`.
    pub addr: [u8; 16],
    /// Transport port.
    pub port: u16,
}

impl Endpoint {
    /// An endpoint from a 4- or 16-byte address.
    #[inline]
    pub fn new(addr: &[u8], port: u16) -> Self {
        let addr = match <[u8; 4]>::try_from(addr) {
            Ok(v4) => mapped_v4(v4),
            Err(_) => {
                let mut a = [0u8; 16];
                a.copy_from_slice(&addr[..16]);
                a
            }
        };
        Endpoint { addr, port }
    }
}

/// Address bytes in order, then the port: derived, the address was compared a byte at a time
/// (a `memcmp` call per conversation key); as a big-endian number it is one comparison.
impl Ord for Endpoint {
    #[inline]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let address = |e: &Endpoint| u128::from_be_bytes(e.addr);
        address(self).cmp(&address(other)).then(self.port.cmp(&other.port))
    }
}

impl PartialOrd for Endpoint {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// `::ffff:a.b.c.d`, made in a vector register so that it is stored whole: written a byte at a
/// time, its first copy (16 bytes at once) waited for those stores to reach the cache (a
/// store-forwarding stall, a third of the TCP dissector's time in perf).
#[cfg(target_arch = "x86_64")]
#[inline]
fn mapped_v4(v4: [u8; 4]) -> [u8; 16] {
    use std::arch::x86_64::{__m128i, _mm_set_epi32};
    // Bytes 8 to 11 are 0, 0, 0xff, 0xff; 12 to 15 the address (lanes are little-endian).
    #[allow(unused_unsafe)]
    // SAFETY: SSE2, which `_mm_set_epi32` needs, is part of every x86_64 target.
    let lanes: __m128i = unsafe { _mm_set_epi32(i32::from_le_bytes(v4), 0xffff_0000_u32 as i32, 0, 0) };
    // SAFETY: both types are 16 plain bytes.
    unsafe { std::mem::transmute::<__m128i, [u8; 16]>(lanes) }
}

/// `::ffff:a.b.c.d`.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn mapped_v4(v4: [u8; 4]) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[10] = 0xff;
    a[11] = 0xff;
    a[12..].copy_from_slice(&v4);
    a
}

/// A conversation key that is the same for both directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConvKey {
    /// The lower endpoint.
    pub low: Endpoint,
    /// The higher endpoint.
    pub high: Endpoint,
}

impl ConvKey {
    /// The key and the packet's direction: 0 when `src` is the lower endpoint, 1 otherwise.
    pub fn of(src: Endpoint, dst: Endpoint) -> (ConvKey, usize) {
        if src <= dst {
            (ConvKey { low: src, high: dst }, 0)
        } else {
            (ConvKey { low: dst, high: src }, 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv4_endpoint_is_its_address_mapped_into_ipv6() {
        for v4 in [[192, 168, 1, 2], [0, 0, 0, 0], [255, 255, 255, 255], [10, 0, 0, 1]] {
            let endpoint = Endpoint::new(&v4, 443);
            let mapped = std::net::Ipv4Addr::from(v4).to_ipv6_mapped().octets();
            assert_eq!(endpoint.addr, mapped, "{v4:?}");
            assert_eq!(endpoint.port, 443);
        }
        let v6 = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(Endpoint::new(&v6, 80).addr, v6);
    }

    #[test]
    fn endpoints_order_by_address_bytes_then_port() {
        let addresses: [&[u8]; 5] = [
            &[10, 0, 0, 1],
            &[10, 0, 0, 2],
            &[192, 168, 0, 1],
            &[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            &[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0],
        ];
        let endpoints: Vec<Endpoint> =
            addresses.iter().flat_map(|a| [0u16, 80, 0x100, 65535].map(|port| Endpoint::new(a, port))).collect();
        for a in &endpoints {
            for b in &endpoints {
                let expected = a.addr.cmp(&b.addr).then(a.port.cmp(&b.port));
                assert_eq!(a.cmp(b), expected, "{a:?} {b:?}");
                assert_eq!(a.partial_cmp(b), Some(expected));
            }
        }
    }
}
