//! Direction-independent conversation keys.

/// One side of a conversation: address (IPv4 mapped into 16 bytes) and port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
        let mut a = [0u8; 16];
        if addr.len() == 4 {
            a[10] = 0xff;
            a[11] = 0xff;
            a[12..].copy_from_slice(addr);
        } else {
            a.copy_from_slice(&addr[..16]);
        }
        Endpoint { addr: a, port }
    }
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
