//! Test inputs for the app parsers: copies of a message with a few bytes overwritten and the
//! tail cut at a random point (xorshift, so every run tries the same ones).

/// `count` mutants of `base`: four bytes overwritten each, then cut short.
pub(crate) fn mutants(base: &[u8], count: usize, mut seed: u64) -> impl Iterator<Item = Vec<u8>> + '_ {
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..count).map(move |_| {
        let mut m = base.to_vec();
        let mut last = 0;
        for _ in 0..4 {
            last = next();
            if !m.is_empty() {
                let i = (last % m.len() as u64) as usize;
                m[i] = (last >> 32) as u8;
            }
        }
        m.truncate((last >> 16) as usize % (m.len() + 1));
        m
    })
}
