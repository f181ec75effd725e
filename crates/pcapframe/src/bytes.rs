//! Bounds-checked reads (network order unless named `le`): every accessor returns `None` past the end,
//! so a truncated header yields exactly the fields whose bytes were captured.

/// Byte at `off`.
#[inline]
pub fn u8_at(b: &[u8], off: usize) -> Option<u8> {
    b.get(off).copied()
}

/// Big-endian u16 at `off`.
#[inline]
pub fn be16(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(off..off + 2)?.try_into().ok()?))
}

/// Big-endian u32 at `off`.
#[inline]
pub fn be32(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(off..off + 4)?.try_into().ok()?))
}

/// Little-endian u16 at `off` (pcapng blocks, radiotap).
#[inline]
pub fn le16(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(off..off + 2)?.try_into().ok()?))
}

/// Little-endian u32 at `off`.
#[inline]
pub fn le32(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(off..off + 4)?.try_into().ok()?))
}

/// `N` bytes at `off`.
#[inline]
pub fn array<const N: usize>(b: &[u8], off: usize) -> Option<[u8; N]> {
    b.get(off..off + N)?.try_into().ok()
}
