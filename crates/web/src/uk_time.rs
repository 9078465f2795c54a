//! Dates and times as people in the UK read and write them: GMT in winter, BST (UTC+1) from
//! 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October. The
//! rule is fixed in law, so a table of time zones is not needed for it.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_of_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday() as i64;
    Some(last - Duration::days(back))
}

/// Whether a UTC moment falls in British Summer Time.
fn is_bst(utc: NaiveDateTime) -> bool {
    let year = utc.year();
    let (Some(start), Some(end)) = (last_sunday(year, 3), last_sunday(year, 10)) else { return false };
    let (start, end) = (start.and_hms_opt(1, 0, 0), end.and_hms_opt(1, 0, 0));
    matches!((start, end), (Some(s), Some(e)) if utc >= s && utc < e)
}

/// The UTC moment (epoch milliseconds) of a UK wall-clock time typed as `2026-11-21T14:30`
/// (what `<input type="datetime-local">` sends), `2026-11-21 14:30` or `21/11/2026 14:30`.
/// In the hour skipped in spring the time is read as GMT; in the hour repeated in autumn,
/// as the first (BST) one.
pub fn parse_local(given: &str) -> Option<i64> {
    let given = given.trim();
    let local = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y, %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(given, f).ok())?;
    // Try BST first: if that moment really is in summer time, it is the answer.
    let as_bst = local - Duration::hours(1);
    let utc = if is_bst(as_bst) { as_bst } else { local };
    Some(Utc.from_utc_datetime(&utc).timestamp_millis())
}

/// A UTC moment as UK wall-clock time: (`2026-11-21T14:30` for a form field, "Saturday 21
/// November 2026 at 14:30 GMT" for people).
pub fn show(ms: i64) -> (String, String) {
    let Some(utc) = chrono::DateTime::from_timestamp_millis(ms).map(|t| t.naive_utc()) else {
        return (String::new(), String::new());
    };
    let (local, zone) = if is_bst(utc) { (utc + Duration::hours(1), "BST") } else { (utc, "GMT") };
    (local.format("%Y-%m-%dT%H:%M").to_string(), format!("{} {zone}", local.format("%A %-d %B %Y at %H:%M")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn last_sundays_are_sundays() {
        assert_eq!(last_sunday(2026, 3), NaiveDate::from_ymd_opt(2026, 3, 29));
        assert_eq!(last_sunday(2026, 10), NaiveDate::from_ymd_opt(2026, 10, 25));
        assert_eq!(last_sunday(2027, 12).map(|d| d.weekday()), Some(chrono::Weekday::Sun));
    }

    #[test]
    fn winter_is_gmt_and_summer_is_bst() {
        assert_eq!(parse_local("2026-11-21T14:30"), Some(utc("2026-11-21T14:30:00Z")));
        assert_eq!(parse_local("21/11/2026 14:30"), Some(utc("2026-11-21T14:30:00Z")));
        assert_eq!(parse_local("2026-07-01T09:00"), Some(utc("2026-07-01T08:00:00Z")));
        assert_eq!(show(utc("2026-07-01T08:00:00Z")).1, "Wednesday 1 July 2026 at 09:00 BST");
        assert_eq!(show(utc("2026-11-21T14:30:00Z")).0, "2026-11-21T14:30");
    }

    #[test]
    fn the_changes_of_clock() {
        // 29 March 2026: 01:00 GMT becomes 02:00 BST.
        assert_eq!(parse_local("2026-03-29T00:30"), Some(utc("2026-03-29T00:30:00Z")));
        assert_eq!(parse_local("2026-03-29T02:30"), Some(utc("2026-03-29T01:30:00Z")));
        // 25 October 2026: 02:00 BST becomes 01:00 GMT; 01:30 happens twice, the first is BST.
        assert_eq!(parse_local("2026-10-25T01:30"), Some(utc("2026-10-25T00:30:00Z")));
        assert_eq!(parse_local("2026-10-25T02:30"), Some(utc("2026-10-25T02:30:00Z")));
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in ["", "tomorrow", "2026-13-01T10:00", "31/02/2026 10:00", "2026-11-21"] {
            assert_eq!(parse_local(bad), None, "{bad}");
        }
    }
}
