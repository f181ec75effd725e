//! Timestamp units of pcapng interfaces (`if_tsresol`) converted to nanoseconds.

/// Units per second of a pcapng interface's timestamps, from its `if_tsresol` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsResolution {
    /// 10^-n seconds per unit.
    Decimal(u8),
    /// 2^-n seconds per unit.
    Binary(u8),
}

impl TsResolution {
    /// Decodes the raw `if_tsresol` byte (high bit set: power of two).
    pub fn from_option(raw: u8) -> Self {
        if raw & 0x80 != 0 {
            TsResolution::Binary(raw & 0x7f)
        } else {
            TsResolution::Decimal(raw)
        }
    }

    /// Converts a count of units into nanoseconds (saturating on absurd values).
    pub fn to_nanos(self, units: u64) -> i64 {
        let ns: u128 = match self {
            TsResolution::Decimal(n) if n <= 9 => u128::from(units) * 10u128.pow(u32::from(9 - n)),
            TsResolution::Decimal(n) => {
                let div = 10u128.checked_pow(u32::from(n - 9)).unwrap_or(u128::MAX);
                u128::from(units) / div
            }
            TsResolution::Binary(n) => {
                let scaled = u128::from(units) * 1_000_000_000;
                if n >= 127 {
                    0
                } else {
                    scaled >> n
                }
            }
        };
        i64::try_from(ns).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_and_binary_resolutions() {
        assert_eq!(TsResolution::from_option(6).to_nanos(1_500_000), 1_500_000_000);
        assert_eq!(TsResolution::from_option(9).to_nanos(7), 7);
        assert_eq!(TsResolution::from_option(12).to_nanos(5_000), 5);
        assert_eq!(TsResolution::from_option(0x80 | 10).to_nanos(1024), 1_000_000_000);
        assert_eq!(TsResolution::from_option(0x80 | 1).to_nanos(3), 1_500_000_000);
    }
}
