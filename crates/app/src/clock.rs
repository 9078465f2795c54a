//! Time and ids. The only place that reads the clock, so tests can reason about both.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use canteen_domain::Id;

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Mints time-ordered ids, strictly increasing within this process. Each process starts
/// its 16-bit sequence at a random offset, so two nodes minting in the same millisecond
/// are unlikely to collide (a collision fails the insert rather than overwriting).
pub struct IdGenerator {
    last: AtomicI64,
}

impl IdGenerator {
    pub fn new() -> IdGenerator {
        let mut seed = [0u8; 2];
        let _ = getrandom::fill(&mut seed);
        let offset = u16::from_le_bytes(seed) as u64;
        IdGenerator { last: AtomicI64::new(Id::from_parts(now_ms(), offset).0) }
    }

    pub fn next(&self) -> Id {
        let floor = Id::from_parts(now_ms(), 0).0;
        let prev = self
            .last
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| Some(floor.max(last + 1)))
            .unwrap_or(floor);
        Id(floor.max(prev + 1))
    }
}

impl Default for IdGenerator {
    fn default() -> Self {
        IdGenerator::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_strictly_increase() {
        let g = IdGenerator::new();
        let mut last = g.next();
        for _ in 0..100_000 {
            let n = g.next();
            assert!(n > last);
            last = n;
        }
    }
}
