//! 64-bit, time-ordered ids: the millisecond timestamp in the high 48 bits and a
//! 16-bit sequence in the low bits, as Mastodon does, so ids sort by creation time and
//! clients can page with `max_id`/`since_id`. Shown as strings in JSON.

use std::fmt;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(pub i64);

impl Id {
    pub const SEQUENCE_BITS: u32 = 16;

    /// Builds an id from a millisecond timestamp and a sequence number (wrapped to 16 bits).
    pub fn from_parts(unix_millis: i64, sequence: u64) -> Id {
        let seq = (sequence & 0xFFFF) as i64;
        Id((unix_millis << Self::SEQUENCE_BITS) | seq)
    }

    /// The millisecond timestamp an id was minted at.
    pub fn unix_millis(self) -> i64 {
        self.0 >> Self::SEQUENCE_BITS
    }

    /// Parses the decimal string form used on the wire; `None` for anything else.
    pub fn parse(s: &str) -> Option<Id> {
        if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<i64>().ok().map(Id)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_order_by_time_then_sequence() {
        let a = Id::from_parts(1_700_000_000_000, 5);
        let b = Id::from_parts(1_700_000_000_000, 6);
        let c = Id::from_parts(1_700_000_000_001, 0);
        assert!(a < b && b < c);
        assert_eq!(c.unix_millis(), 1_700_000_000_001);
    }

    #[test]
    fn parse_rejects_non_digits() {
        assert_eq!(Id::parse("123"), Some(Id(123)));
        assert_eq!(Id::parse("-1"), None);
        assert_eq!(Id::parse("12a"), None);
        assert_eq!(Id::parse(""), None);
        assert_eq!(Id::parse("99999999999999999999"), None);
    }
}
