//! Reading dates as people write them in posts: `12/03/1956`, `3rd March 1956`,
//! `March 3, 1956`, `1956-03-12`.

use crate::text::{Doc, Kind};

/// Is day `d` of month `m` real? `y` is a two- or four-digit year, used only for 29 Feb.
pub(crate) fn day_valid(d: u32, m: u32, y: u32) -> bool {
    let leap = if y >= 100 {
        (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
    } else {
        y.is_multiple_of(4)
    };
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

pub(crate) fn month_number(word: &str) -> Option<u32> {
    let m = match word.trim_end_matches('.') {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    Some(m)
}

/// A date found in the text, as token indices and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateAt {
    pub first: usize,
    pub last: usize,
    /// Four-digit year if written (or a two-digit one, as written).
    pub year: Option<u32>,
    /// Whether a day is given (not just month and year).
    pub has_day: bool,
}

fn num(doc: &Doc, i: usize) -> Option<(u32, usize)> {
    let t = doc.get(i)?;
    if t.kind != Kind::Num || t.norm.len() > 4 {
        return None;
    }
    Some((t.norm.parse().ok()?, t.norm.len()))
}

fn adjacent(doc: &Doc, i: usize) -> bool {
    doc.get(i).is_some_and(|t| !t.space_before)
}

fn ordinal_suffix(w: &str) -> bool {
    matches!(w, "st" | "nd" | "rd" | "th")
}

/// Tries to read a date starting at token `i`.
pub(crate) fn date_at(doc: &Doc, i: usize) -> Option<DateAt> {
    let t = doc.get(i)?;
    if t.kind == Kind::Num { numeric_date(doc, i).or_else(|| day_month_date(doc, i)) } else { month_day_date(doc, i) }
}

/// `12/03/1956`, `12-3-56`, `12.03.1956`, `1956-03-12`.
fn numeric_date(doc: &Doc, i: usize) -> Option<DateAt> {
    let (a, alen) = num(doc, i)?;
    let sep = doc.norm(i + 1);
    if !matches!(sep, "/" | "-" | ".") || !adjacent(doc, i + 1) || !adjacent(doc, i + 2) {
        return None;
    }
    let (b, blen) = num(doc, i + 2)?;
    if doc.norm(i + 3) != sep || !adjacent(doc, i + 3) || !adjacent(doc, i + 4) {
        return None;
    }
    let (c, clen) = num(doc, i + 4)?;
    let valid = if alen == 4 {
        blen <= 2 && clen <= 2 && day_valid(c, b, a)
    } else {
        alen <= 2 && blen <= 2 && (clen == 2 || clen == 4) && day_valid(a, b, c)
    };
    valid.then_some(DateAt { first: i, last: i + 4, year: Some(if alen == 4 { a } else { c }), has_day: true })
}

/// `3 March 1956`, `3rd of March, 1956`, `03 Mar 56`.
fn day_month_date(doc: &Doc, i: usize) -> Option<DateAt> {
    let (d, dlen) = num(doc, i)?;
    if dlen > 2 {
        return None;
    }
    let mut j = i + 1;
    if ordinal_suffix(doc.norm(j)) && adjacent(doc, j) {
        j += 1;
    }
    if doc.norm(j) == "of" {
        j += 1;
    }
    let m = month_number(doc.norm(j))?;
    if doc.norm(j + 1) == "." && adjacent(doc, j + 1) {
        j += 1;
    }
    if !day_valid(d, m, 2000) {
        return None;
    }
    let (year, last) = year_after(doc, j);
    Some(DateAt { first: i, last, year, has_day: true })
}

/// `March 3, 1956`, `March 3rd 1956`, and month-year `March 1956`.
fn month_day_date(doc: &Doc, i: usize) -> Option<DateAt> {
    let m = month_number(doc.norm(i))?;
    let mut j = i + 1;
    if doc.norm(j) == "." && adjacent(doc, j) {
        j += 1;
    }
    let (d, dlen) = num(doc, j)?;
    if dlen == 4 {
        return Some(DateAt { first: i, last: j, year: Some(d), has_day: false });
    }
    if dlen > 2 || !day_valid(d, m, 2000) {
        return None;
    }
    if ordinal_suffix(doc.norm(j + 1)) && adjacent(doc, j + 1) {
        j += 1;
    }
    let (year, last) = year_after(doc, j);
    Some(DateAt { first: i, last, year, has_day: true })
}

/// An optional `, 1956` / `1956` / `'56` after token `j`.
fn year_after(doc: &Doc, j: usize) -> (Option<u32>, usize) {
    let mut k = j + 1;
    if doc.norm(k) == "," {
        k += 1;
    }
    match num(doc, k) {
        Some((y, 4)) if (1850..=2100).contains(&y) => (Some(y), k),
        _ => (None, j),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<(String, Option<u32>)> {
        let doc = Doc::new(text);
        (0..doc.len()).find_map(|i| {
            date_at(&doc, i).map(|d| {
                let s = doc.toks[d.first].start;
                let e = doc.toks[d.last].end;
                (text[s..e].to_string(), d.year)
            })
        })
    }

    #[test]
    fn reads_common_date_forms() {
        assert_eq!(read("dob 12/03/1956 x"), Some(("12/03/1956".into(), Some(1956))));
        assert_eq!(read("on 1956-03-12"), Some(("1956-03-12".into(), Some(1956))));
        assert_eq!(read("3rd of March, 1956."), Some(("3rd of March, 1956".into(), Some(1956))));
        assert_eq!(read("March 3, 1956"), Some(("March 3, 1956".into(), Some(1956))));
        assert_eq!(read("on 14 Feb"), Some(("14 Feb".into(), None)));
        assert_eq!(read("31/02/1956"), None);
        assert_eq!(read("29/02/2023"), None);
        assert_eq!(read("29/02/2024"), Some(("29/02/2024".into(), Some(2024))));
        assert_eq!(read("12 / 03 / 1956"), None);
    }
}
