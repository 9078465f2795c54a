//! Small in-process caches of rarely changing reads on hot paths: the inbox's signing keys and
//! server permits, read for every signed activity. An entry is used only while the epoch it
//! was read in still holds (`App::access_epoch`, moved by every block, suspension and allow
//! change made here) and for at most its time to live, so a change made in this process
//! applies at once and one made in another process within that time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Memo<V> {
    entries: Mutex<HashMap<String, (u64, Instant, V)>>,
    ttl: Duration,
    capacity: usize,
}

impl<V: Clone> Memo<V> {
    pub fn new(ttl: Duration, capacity: usize) -> Memo<V> {
        Memo { entries: Mutex::new(HashMap::new()), ttl, capacity: capacity.max(1) }
    }

    /// The value read for `key` in `epoch`, if it is still fresh.
    pub fn get(&self, key: &str, epoch: u64) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(key) {
            Some((e, at, v)) if *e == epoch && at.elapsed() < self.ttl => Some(v.clone()),
            _ => None,
        }
    }

    /// Keeps `value`, read for `key` in `epoch`. When full, everything goes: it refills from
    /// the store in a moment, and no old entry outlives its bound.
    pub fn put(&self, key: String, epoch: u64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (epoch, Instant::now(), value));
    }

    pub fn forget(&self, key: &str) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;
    use std::time::Duration;

    #[test]
    fn an_entry_holds_only_in_its_epoch_and_time() {
        let m = Memo::new(Duration::from_millis(50), 2);
        m.put("a".into(), 1, 10);
        assert_eq!(m.get("a", 1), Some(10));
        assert_eq!(m.get("a", 2), None, "the epoch moved");
        m.forget("a");
        assert_eq!(m.get("a", 1), None);
        m.put("b".into(), 1, 20);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(m.get("b", 1), None, "too old");
        m.put("c".into(), 1, 30);
        m.put("d".into(), 1, 40);
        m.put("e".into(), 1, 50);
        assert_eq!((m.get("c", 1), m.get("e", 1)), (None, Some(50)), "full: emptied, then refilled");
    }
}
