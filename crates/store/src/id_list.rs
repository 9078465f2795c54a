//! Lists of ids bound as query parameters, padded to a few fixed lengths, so that a query over
//! "these posts" has one of a few texts and its prepared statement is reused. With the ids
//! written into the text (as before), every page prepared fresh statements and pushed the
//! fixed ones out of each connection's statement cache.

use canteen_domain::Id;

/// The lengths a list is padded to; a longer list is written inline (and not cached).
const SIZES: [usize; 8] = [8, 16, 32, 64, 128, 256, 512, 1024];

pub(crate) struct IdList {
    /// `$n, $n+1, …` (or the ids themselves, for a very long list).
    pub sql: String,
    /// The values to bind after the query's own parameters, in order.
    pub values: Vec<i64>,
    /// Whether the statement is worth keeping prepared.
    pub persistent: bool,
}

impl IdList {
    /// Placeholders numbered from `first` (the query's own parameters come before). Callers
    /// return early on an empty list; padding repeats the first id, which `IN` ignores.
    pub fn new(ids: &[Id], first: usize) -> IdList {
        let pad = ids.first().map(|i| i.0).unwrap_or(-1);
        match SIZES.iter().find(|&&n| n >= ids.len()) {
            Some(&n) => IdList {
                sql: (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(","),
                values: ids.iter().map(|i| i.0).chain(std::iter::repeat(pad)).take(n).collect(),
                persistent: true,
            },
            // Ids are integers we produced, so writing them inline is safe.
            None => IdList {
                sql: ids.iter().map(|i| i.0.to_string()).collect::<Vec<_>>().join(","),
                values: Vec::new(),
                persistent: false,
            },
        }
    }
}

/// Binds an [`IdList`]'s values to a query (after its own parameters).
macro_rules! bind_ids {
    ($q:expr, $list:expr) => {
        $list.values.iter().fold($q, |q, v| q.bind(*v)).persistent($list.persistent)
    };
}
pub(crate) use bind_ids;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_to_a_fixed_length_with_numbered_placeholders() {
        let l = IdList::new(&[Id(5), Id(7), Id(9)], 2);
        assert_eq!(l.sql, "$2,$3,$4,$5,$6,$7,$8,$9");
        assert_eq!(l.values, vec![5, 7, 9, 5, 5, 5, 5, 5]);
        assert!(l.persistent);
        let l = IdList::new(&(0..9).map(Id).collect::<Vec<_>>(), 1);
        assert_eq!(l.values.len(), 16);
    }

    #[test]
    fn a_very_long_list_is_written_inline_and_not_kept() {
        let ids: Vec<Id> = (0..1500).map(Id).collect();
        let l = IdList::new(&ids, 1);
        assert!(l.values.is_empty() && !l.persistent);
        assert!(l.sql.starts_with("0,1,2,") && l.sql.ends_with(",1499"));
    }
}
