//! Private contact details: phone numbers, email addresses, street addresses and postcodes.
//! An organisation's published contacts (the policy's allow-list, freephone and
//! non-geographic numbers, role mailboxes, addresses given as a venue or a site) pass.

use crate::report::Category;
use crate::text::Kind;
use crate::{Raw, Scan};

pub(crate) fn detect(scan: &Scan, out: &mut Vec<Raw>) {
    phones(scan, out);
    emails(scan, out);
    addresses(scan, out);
}

/// National digits (`01614960000`) of a phone number written any common way.
pub(crate) fn national_digits(s: &str) -> Option<String> {
    let t = s.trim();
    let mut digits: String = t.chars().filter(char::is_ascii_digit).collect();
    if t.starts_with('+') || t.starts_with("00") {
        let rest = digits.strip_prefix("0044").or_else(|| digits.strip_prefix("44"))?;
        let rest = rest.strip_prefix('0').unwrap_or(rest);
        digits = format!("0{rest}");
    }
    (digits.len() >= 10 && digits.len() <= 11 && digits.starts_with('0')).then_some(digits)
}

/// Looks at the words around token range `[a, b]`: is the nearest telling word an
/// organisation's (pass) or a private person's (report)? No telling word: report.
fn organisational(scan: &Scan, a: usize, b: usize, before: usize, after: usize) -> bool {
    let doc = &scan.doc;
    let mut nearest_org = usize::MAX;
    let mut nearest_private = usize::MAX;
    for (dist, j) in doc.words_before(a, before).enumerate() {
        let w = doc.norm(j);
        if scan.lex.cues.org_words.contains(&w) && nearest_org == usize::MAX {
            nearest_org = dist;
        }
        if scan.lex.cues.private_words.contains(&w) && nearest_private == usize::MAX {
            nearest_private = dist;
        }
    }
    for (dist, j) in doc.words_after(b, after).enumerate() {
        let w = doc.norm(j);
        if scan.lex.cues.org_words.contains(&w) {
            nearest_org = nearest_org.min(dist);
        }
        if scan.lex.cues.private_words.contains(&w) {
            nearest_private = nearest_private.min(dist);
        }
    }
    nearest_org < nearest_private
}

fn phones(scan: &Scan, out: &mut Vec<Raw>) {
    let text = scan.doc.text;
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i] == b'0'
            || (b[i] == b'+' && b.get(i + 1) == Some(&b'4'))
            || (b[i] == b'(' && b.get(i + 1) == Some(&b'0'));
        // Checked only after `starts`: an ASCII byte is a character boundary.
        if !starts
            || text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '+' || c == '/' || c == '.' || c == '@')
        {
            i += 1;
            continue;
        }
        let Some((end, national)) = phone_at(text, i) else {
            i += 1;
            continue;
        };
        if private_phone(scan, i, end, &national) {
            out.push(Raw::new(Category::PhoneNumber, i, end));
        }
        i = end;
    }
}

/// Reads a UK phone number at byte `i`: returns its end and its national digits.
fn phone_at(text: &str, i: usize) -> Option<(usize, String)> {
    let b = text.as_bytes();
    let mut j = i;
    let mut digits = String::new();
    let mut group_ends: Vec<(usize, usize)> = Vec::new(); // (byte end, digit count so far)
    let international = b[i] == b'+';
    if international {
        if !text[i..].starts_with("+44") {
            return None;
        }
        j += 3;
        digits.push('0');
        if text[j..].starts_with(" (0)") || text[j..].starts_with("(0)") {
            j = text[j..].find(')').map(|k| j + k + 1)?;
        }
    }
    loop {
        // One separator between groups at most (a space, hyphen, dot or bracket).
        let mut k = j;
        let mut seps = 0;
        while k < b.len() && matches!(b[k], b' ' | b'-' | b'.' | b'(' | b')') && seps < 2 {
            if b[k] == b'.' && b.get(k + 1) == Some(&b' ') {
                break;
            }
            k += 1;
            seps += 1;
        }
        if k >= b.len() || !b[k].is_ascii_digit() || (seps == 2 && b[k - 1] != b' ' && b[k - 2] != b')') {
            break;
        }
        let s = k;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        if international && digits == "0" && b[s] == b'0' {
            digits.push_str(&text[s + 1..k]);
        } else {
            digits.push_str(&text[s..k]);
        }
        j = k;
        group_ends.push((j, digits.len()));
        if digits.len() >= 11 {
            break;
        }
    }
    // Letters or more digits straight after: part of a code, not a phone number.
    if text[j..].chars().next().is_some_and(|c| c.is_alphanumeric() || c == '@') {
        return None;
    }
    let &(end, n) = group_ends.iter().rev().find(|(_, n)| *n == 10 || *n == 11)?;
    if n != digits.len() {
        return None;
    }
    let national = &digits[..n];
    let second = national.as_bytes().get(1).copied().unwrap_or(b'0');
    if !matches!(second, b'1' | b'2' | b'3' | b'5' | b'7' | b'8' | b'9') {
        return None;
    }
    Some((end, national.to_string()))
}

fn private_phone(scan: &Scan, start: usize, end: usize, national: &str) -> bool {
    // Freephone, non-geographic (public bodies, charities) and business-rate numbers are
    // published numbers, never a private person's.
    let published = ["080", "0500", "03", "084", "087", "09", "0300"];
    if published.iter().any(|p| national.starts_with(p)) {
        return false;
    }
    if scan.prepared.phones.iter().any(|p| p == national) || scan.is_masked(start, end) {
        return false;
    }
    let mut distinct: Vec<u8> = national.bytes().skip(1).collect();
    distinct.sort_unstable();
    distinct.dedup();
    // "07000 000000", or an area code with a dummy number ("01234 111111"), is a placeholder.
    let local = &national.as_bytes()[national.len().saturating_sub(6)..];
    if distinct.len() <= 1 || local.iter().all(|&d| d == local[0]) {
        return false;
    }
    let doc = &scan.doc;
    let a = doc.token_at(start);
    let b = doc.token_at(end.saturating_sub(1));
    !organisational(scan, a, b, 8, 4)
}

fn emails(scan: &Scan, out: &mut Vec<Raw>) {
    let text = scan.doc.text;
    let b = text.as_bytes();
    let local_char = |c: u8| c.is_ascii_alphanumeric() || b"._%+-'".contains(&c);
    let domain_char = |c: u8| c.is_ascii_alphanumeric() || c == b'.' || c == b'-';
    for (at, _) in text.match_indices('@') {
        let mut s = at;
        while s > 0 && local_char(b[s - 1]) {
            s -= 1;
        }
        while s < at && matches!(b[s], b'.' | b'\'' | b'-') {
            s += 1;
        }
        // "@user@instance" is a fediverse handle, not an email address.
        if s == at || (s > 0 && b[s - 1] == b'@') {
            continue;
        }
        let mut e = at + 1;
        while e < b.len() && domain_char(b[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        let domain = text[at + 1..e].to_ascii_lowercase();
        let tld_ok = domain.rsplit_once('.').is_some_and(|(head, tld)| {
            !head.is_empty() && tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic())
        });
        if !tld_ok || scan.is_masked(s, e) {
            continue;
        }
        let address = text[s..e].to_ascii_lowercase();
        let local = &address[..at - s];
        if !private_email(scan, s, e, &address, local, &domain) {
            continue;
        }
        out.push(Raw::new(Category::EmailAddress, s, e));
    }
}

fn private_email(scan: &Scan, s: usize, e: usize, address: &str, local: &str, domain: &str) -> bool {
    let p = &scan.prepared;
    if p.emails.iter().any(|a| a == address)
        || p.mail_domains.iter().any(|d| domain == d || domain.ends_with(&format!(".{d}")))
    {
        return false;
    }
    // Personal webmail is a person's, whatever the words around it say.
    const WEBMAIL: &[&str] = &[
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "hotmail.co.uk",
        "outlook.com",
        "live.com",
        "live.co.uk",
        "yahoo.com",
        "yahoo.co.uk",
        "icloud.com",
        "me.com",
        "aol.com",
        "aol.co.uk",
        "btinternet.com",
        "sky.com",
        "virginmedia.com",
        "talktalk.net",
        "protonmail.com",
        "proton.me",
        "msn.com",
        "ntlworld.com",
        "blueyonder.co.uk",
        "gmx.com",
        "mail.com",
    ];
    if WEBMAIL.contains(&domain) {
        return true;
    }
    let first = local.split(['.', '_', '-', '+']).next().unwrap_or(local);
    let role_segment = local.split(['.', '_', '-', '+']).any(|seg| {
        scan.lex.cues.role_mailboxes.contains(&seg)
            || scan.lex.cues.role_parts.iter().any(|r| seg.starts_with(r) || seg.ends_with(r))
    });
    if scan.lex.cues.role_mailboxes.contains(&first) || role_segment {
        return false;
    }
    let doc = &scan.doc;
    let a = doc.token_at(s);
    let b = doc.token_at(e.saturating_sub(1));
    !organisational(scan, a, b, 6, 3)
}

/// A postcode: `SW1A 1AA`, `M1 1AE`, `B15 2TT`, `EH1 2NG` (upper case, as printed).
fn postcode_at(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let up = |k: usize| b.get(k).is_some_and(u8::is_ascii_uppercase);
    let dig = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
    if !up(i) || b"QVX".contains(&b[i]) {
        return None;
    }
    let mut j = i + 1;
    if up(j) {
        j += 1;
    }
    if !dig(j) {
        return None;
    }
    j += 1;
    if up(j) || dig(j) {
        j += 1;
    }
    if b.get(j) == Some(&b' ') {
        j += 1;
    }
    let inward_ok =
        dig(j) && up(j + 1) && up(j + 2) && !b"CIKMOV".contains(&b[j + 1]) && !b"CIKMOV".contains(&b[j + 2]);
    let end = j + 3;
    (inward_ok && text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric())).then_some(end)
}

/// The capitalised street name ending in a street type that starts at token `j`:
/// returns the index of the street-type token.
fn street_name_at(scan: &Scan, j: usize) -> Option<usize> {
    let doc = &scan.doc;
    let lex = scan.lex;
    if let Some(last) = welsh_street_at(scan, j) {
        return Some(last);
    }
    let mut k = j;
    let mut names = 0;
    while names < 3 {
        let t = doc.get(k)?;
        if !t.is_word() {
            return None;
        }
        if names > 0 && t.cap && lex.street_types.contains(t.stem()) {
            return Some(k);
        }
        if !t.cap || lex.roles.contains(&t.norm) {
            return None;
        }
        names += 1;
        k += 1;
    }
    let t = doc.get(k)?;
    (t.cap && lex.street_types.contains(t.stem())).then_some(k)
}

/// Welsh street names put the street type first: "Heol y Coed", "Ffordd Pentre", "Stryd
/// Fawr". Returns the index of the name's last word.
fn welsh_street_at(scan: &Scan, j: usize) -> Option<usize> {
    const TYPES: &[&str] = &["heol", "ffordd", "stryd", "lon", "lôn", "rhodfa", "cilgant"];
    let doc = &scan.doc;
    let t = doc.get(j)?;
    if !t.cap || !TYPES.contains(&t.norm.as_str()) {
        return None;
    }
    let mut last = None;
    let mut k = j + 1;
    while k < j + 4 {
        match doc.get(k) {
            Some(w) if w.is_word() && w.cap => last = Some(k),
            Some(w) if w.is_word() && matches!(w.norm.as_str(), "y" | "yr") => {}
            _ => break,
        }
        k += 1;
    }
    last
}

fn residence_cue(scan: &Scan, i: usize) -> bool {
    let doc = &scan.doc;
    let (a, b) = doc.sentence_of(i);
    (a..=b).any(|j| scan.lex.cues.residence_words.contains(&doc.norm(j)))
}

/// An organisation word in the sentence of token `i`, outside tokens `skip` (the address
/// itself: "Station Road" is not a station).
fn org_cue_in_sentence(scan: &Scan, i: usize, skip: (usize, usize)) -> bool {
    let doc = &scan.doc;
    let (a, b) = doc.sentence_of(i);
    (a..=b).filter(|j| !(skip.0..=skip.1).contains(j)).any(|j| {
        let w = doc.norm(j);
        scan.lex.cues.org_words.contains(&w) && !matches!(w, "our" | "us" | "line" | "open" | "visit" | "car" | "hours")
            || (w == "us" && matches!(doc.norm(j.wrapping_sub(1)), "visit" | "find" | "join" | "meet"))
    })
}

fn addresses(scan: &Scan, out: &mut Vec<Raw>) {
    let doc = &scan.doc;
    let text = doc.text;
    let mut covered_until = 0;
    for i in 0..doc.len() {
        let t = &doc.toks[i];
        if t.start < covered_until {
            continue;
        }
        // "12 Acacia Avenue", "12a Mill Lane", "Flat 3, 45 High Street".
        let mut found: Option<(usize, usize)> = None;
        if t.kind == Kind::Num && t.norm.len() <= 4 {
            let mut j = i + 1;
            if doc.get(j).is_some_and(|n| n.is_word() && n.norm.len() == 1 && !n.space_before) {
                j += 1;
            }
            if doc.norm(j) == "," {
                j += 1;
            }
            if let Some(last) = street_name_at(scan, j) {
                let mut first = i;
                if let Some(p) = doc.prev_word(i)
                    && matches!(doc.norm(p), "flat" | "apartment" | "apt" | "no" | "number")
                {
                    first = p;
                }
                found = Some((first, last));
            }
        } else if t.is_word() && t.cap {
            // "lives on Acacia Avenue": a street name with no number, as where someone lives.
            let before: Vec<&str> = doc.words_before(i, 2).map(|j| doc.norm(j)).collect();
            let lives = matches!(before.as_slice(), ["on" | "in" | "at" | "off", w, ..] if scan.lex.cues.residence_words.contains(w));
            if lives && let Some(last) = street_name_at(scan, i) {
                found = Some((i, last));
            }
        }
        if let Some((first, last)) = found {
            let mut end = doc.toks[last].end;
            // Extend over ", Town" and a postcode that follow.
            let mut k = last + 1;
            if doc.norm(k) == "," {
                k += 1;
            }
            let town =
                doc.get(k).is_some_and(|t| t.cap && t.is_word()) && postcode_at(text, doc.toks[k].start).is_none();
            if town && (doc.norm(k + 1) == "," || doc.get(k + 1).is_some_and(|t| postcode_at(text, t.start).is_some()))
            {
                end = doc.toks[k].end;
                k += 1;
                if doc.norm(k) == "," {
                    k += 1;
                }
            }
            if let Some(pc_end) = doc.get(k).and_then(|t| postcode_at(text, t.start)) {
                end = pc_end;
            }
            let start = doc.toks[first].start;
            let org = org_cue_in_sentence(scan, i, (first, last)) || famous_address(scan, first, last);
            // "a visit at 7 Calder Close": a home visit ("visit us at" is an organisation's).
            let home_visit = {
                let before: Vec<&str> = doc.words_before(first, 2).map(|j| doc.norm(j)).collect();
                matches!(before.as_slice(), ["at", "visit" | "visits" | "visiting", ..])
            };
            if (residence_cue(scan, i) || home_visit || !org) && !scan.is_masked(start, end) {
                out.push(Raw::new(Category::Address, start, end));
            }
            covered_until = end;
            continue;
        }
        // A postcode on its own, presented as where someone lives.
        if t.kind == Kind::Word
            && let Some(end) = postcode_at(text, t.start)
        {
            let labelled = doc.words_before(i, 2).any(|j| doc.norm(j) == "postcode");
            if (labelled || residence_cue(scan, i))
                && !org_cue_in_sentence(scan, i, (i, i + 2))
                && !scan.is_masked(t.start, end)
            {
                out.push(Raw::new(Category::Address, t.start, end));
            }
            covered_until = end;
        }
    }
}

/// Addresses everyone knows ("10 Downing Street") are not private.
fn famous_address(scan: &Scan, first: usize, last: usize) -> bool {
    let doc = &scan.doc;
    (first..=last).any(|j| matches!(doc.norm(j), "downing" | "baker" | "abbey"))
        && (first..=last).any(|j| matches!(doc.norm(j), "street" | "road"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;
    use crate::testing::{found, spans, spans_with};

    #[test]
    fn private_phone_numbers() {
        assert_eq!(spans("her son's number is 07700 900123 if needed", Category::PhoneNumber), vec!["07700 900123"]);
        assert_eq!(spans("ring me on +44 (0)7700 900456.", Category::PhoneNumber), vec!["+44 (0)7700 900456"]);
        assert_eq!(spans("tel 0161-496-0123", Category::PhoneNumber), vec!["0161-496-0123"]);
        assert_eq!(spans("his mobile (0113) 496 0999", Category::PhoneNumber), vec!["(0113) 496 0999"]);
        // A client's number, even with a visit (an organisation word) after it.
        assert_eq!(
            spans("text the client on 07891 445302 to confirm tomorrow's visit", Category::PhoneNumber),
            vec!["07891 445302"]
        );
    }

    #[test]
    fn published_numbers_helplines_bleeps_and_extensions_pass() {
        for t in [
            "Call NHS 111 or 999 in an emergency",
            "Samaritans are on 116 123, any time",
            "Macmillan Support Line 0808 808 00 00",
            "Our switchboard is 020 7946 0000",
            "Call the ward on 0161 496 0000 to check visiting",
            "PALS: 0300 123 4567",
            "bleep 4471 or ext 23456",
            "text SHOUT to 85258",
            "0800 123 4567 free",
            "the leaflet had 01234 111111 as a dummy number",
        ] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
        let p = Policy::from_json(r#"{"allow_contacts": ["07700 900123"]}"#).unwrap();
        assert!(spans_with("my number 07700900123", Category::PhoneNumber, &p).is_empty());
    }

    #[test]
    fn private_email_addresses() {
        assert_eq!(
            spans("his daughter is jo.bloggs@gmail.com, email her", Category::EmailAddress),
            vec!["jo.bloggs@gmail.com"]
        );
        for t in [
            "Questions to pals@example.nhs.uk please",
            "email england.contactus@nhs.net",
            "follow @sarah@canteen.social",
            "email the team: cardiology.admin@example.nhs.uk",
        ] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
        let p = Policy::from_json(r#"{"allow_contacts": ["@example.org"]}"#).unwrap();
        assert!(spans_with("mail jo@example.org", Category::EmailAddress, &p).is_empty());
    }

    #[test]
    fn home_addresses_and_postcodes() {
        assert_eq!(
            spans("Home visit to 14 Oak Lane, Leeds LS6 2AB this morning", Category::Address),
            vec!["14 Oak Lane, Leeds LS6 2AB"]
        );
        assert_eq!(spans("She lives on Acacia Avenue with her cat", Category::Address), vec!["Acacia Avenue"]);
        assert_eq!(spans("lives at flat 2, postcode M1 1AE", Category::Address), vec!["M1 1AE"]);
        assert_eq!(
            spans("Can someone from the DN team do a visit at 7 Calder Close today?", Category::Address),
            vec!["7 Calder Close"]
        );
        assert_eq!(
            spans("the man outside 41 Ferndale Road, three hours now", Category::Address),
            vec!["41 Ferndale Road"]
        );
        // Welsh street names put the street type first.
        assert_eq!(
            spans("Can someone do the insulin visit at 14 Heol y Coed, CF14 4XY?", Category::Address),
            vec!["14 Heol y Coed, CF14 4XY"]
        );
    }

    #[test]
    fn organisation_addresses_pass() {
        for t in [
            "Visit us at St Thomas' Hospital, Westminster Bridge Road, London SE1 7EH",
            "The conference is at 1 Victoria Street, London SW1H 0ET",
            "Our clinic has moved to 22 Station Road",
            "Protest outside 10 Downing Street",
            "Send donations to the hospice, SE1 7EH",
        ] {
            assert!(spans(t, Category::Address).is_empty(), "{t}");
        }
    }
}
