//! Multi-row `INSERT … VALUES` lists: one statement for many rows, so a batch of posts costs
//! the single SQLite writer a handful of round trips instead of several per post.

/// `($1, $2), ($3, $4)`: placeholders for `rows` rows of `cols` values each.
pub(crate) fn placeholders(rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * cols + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// The most rows one statement carries: SQLite allows 32,766 bound values, PostgreSQL 65,535;
/// the widest row (a post) has 19.
pub(crate) const MAX_ROWS: usize = 1_000;

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_placeholders_row_by_row() {
        assert_eq!(super::placeholders(1, 1), "($1)");
        assert_eq!(super::placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }
}
