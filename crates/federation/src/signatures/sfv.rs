//! The part of RFC 8941 (Structured Field Values) that RFC 9421 and RFC 9530 need: parsing
//! dictionaries whose members are items or inner lists with parameters, and serialising inner
//! lists and items back. Written here rather than taken from the `sfv` crate to keep the
//! dependency tree small; it follows the parsing algorithms of RFC 8941 §4.2 step by step, so
//! anything the RFC rejects is rejected (a signature header that does not parse is refused).

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

#[derive(Debug, Clone, PartialEq)]
pub enum BareItem {
    Integer(i64),
    /// Kept in serialised form (at most 12 integer and 3 fractional digits), so it
    /// round-trips without floating-point rounding.
    Decimal(String),
    String(String),
    Token(String),
    ByteSeq(Vec<u8>),
    Boolean(bool),
}

pub type Parameters = Vec<(String, BareItem)>;

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub value: BareItem,
    pub params: Parameters,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Member {
    Item(Item),
    InnerList(Vec<Item>, Parameters),
}

pub type Dictionary = Vec<(String, Member)>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid structured field at byte {at}: {what}")]
pub struct ParseError {
    pub at: usize,
    pub what: &'static str,
}

/// Parses a dictionary field value (RFC 8941 §4.2.2). A later duplicate key replaces the
/// earlier value in place, as the RFC says.
pub fn parse_dictionary(input: &str) -> Result<Dictionary, ParseError> {
    let mut p = Parser { s: input.as_bytes(), i: 0 };
    p.skip_sp();
    let mut dict: Dictionary = Vec::new();
    while !p.done() {
        let key = p.key()?;
        let member = if p.peek() == Some(b'=') {
            p.i += 1;
            p.item_or_inner_list()?
        } else {
            Member::Item(Item { value: BareItem::Boolean(true), params: p.parameters()? })
        };
        match dict.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = member,
            None => dict.push((key, member)),
        }
        p.skip_ows();
        if p.done() {
            break;
        }
        p.expect(b',', "expected ',' between dictionary members")?;
        p.skip_ows();
        if p.done() {
            return Err(p.err("trailing comma"));
        }
    }
    Ok(dict)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn done(&self) -> bool {
        self.i >= self.s.len()
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn err(&self, what: &'static str) -> ParseError {
        ParseError { at: self.i, what }
    }
    fn expect(&mut self, c: u8, what: &'static str) -> Result<(), ParseError> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(what))
        }
    }
    fn skip_sp(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }
    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn item_or_inner_list(&mut self) -> Result<Member, ParseError> {
        if self.peek() == Some(b'(') {
            self.i += 1;
            let mut items = Vec::new();
            loop {
                self.skip_sp();
                match self.peek() {
                    Some(b')') => {
                        self.i += 1;
                        return Ok(Member::InnerList(items, self.parameters()?));
                    }
                    None => return Err(self.err("unterminated inner list")),
                    _ => {}
                }
                items.push(Item { value: self.bare_item()?, params: self.parameters()? });
                if !matches!(self.peek(), Some(b' ' | b')')) {
                    return Err(self.err("expected ' ' or ')' in inner list"));
                }
            }
        }
        Ok(Member::Item(Item { value: self.bare_item()?, params: self.parameters()? }))
    }

    fn parameters(&mut self) -> Result<Parameters, ParseError> {
        let mut params: Parameters = Vec::new();
        while self.peek() == Some(b';') {
            self.i += 1;
            self.skip_sp();
            let key = self.key()?;
            let value = if self.peek() == Some(b'=') {
                self.i += 1;
                self.bare_item()?
            } else {
                BareItem::Boolean(true)
            };
            match params.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => params.push((key, value)),
            }
        }
        Ok(params)
    }

    fn key(&mut self) -> Result<String, ParseError> {
        let start = self.i;
        match self.peek() {
            Some(c) if c.is_ascii_lowercase() || c == b'*' => {}
            _ => return Err(self.err("a key must start with a lowercase letter or '*'")),
        }
        while let Some(c) = self.peek() {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-' | b'.' | b'*') {
                self.i += 1;
            } else {
                break;
            }
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn bare_item(&mut self) -> Result<BareItem, ParseError> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'"') => self.string(),
            Some(b':') => self.byte_seq(),
            Some(b'?') => self.boolean(),
            Some(c) if c.is_ascii_alphabetic() || c == b'*' => Ok(self.token()),
            _ => Err(self.err("expected an item")),
        }
    }

    fn number(&mut self) -> Result<BareItem, ParseError> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let start = self.i;
        let mut dot: Option<usize> = None;
        while let Some(c) = self.peek() {
            match c {
                b'0'..=b'9' => self.i += 1,
                b'.' if dot.is_none() => {
                    if self.i - start > 12 {
                        return Err(self.err("decimal integer part too long"));
                    }
                    dot = Some(self.i);
                    self.i += 1;
                }
                _ => break,
            }
            let len = self.i - start;
            if (dot.is_none() && len > 15) || (dot.is_some() && len > 16) {
                return Err(self.err("number too long"));
            }
        }
        let digits = std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.err("bad number"))?;
        if digits.is_empty() || digits.starts_with('.') {
            return Err(self.err("expected a digit"));
        }
        match dot {
            None => {
                let n: i64 = digits.parse().map_err(|_| self.err("bad integer"))?;
                Ok(BareItem::Integer(if negative { -n } else { n }))
            }
            Some(d) => {
                let frac = &self.s[d + 1..self.i];
                if frac.is_empty() || frac.len() > 3 {
                    return Err(self.err("a decimal needs 1 to 3 fractional digits"));
                }
                Ok(BareItem::Decimal(canonical_decimal(negative, digits)))
            }
        }
    }

    fn string(&mut self) -> Result<BareItem, ParseError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(BareItem::String(out));
                }
                Some(b'\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => {
                            out.push(c as char);
                            self.i += 1;
                        }
                        _ => return Err(self.err("bad escape in string")),
                    }
                }
                Some(c @ 0x20..=0x7e) => {
                    out.push(c as char);
                    self.i += 1;
                }
                Some(_) => return Err(self.err("non-printable character in string")),
            }
        }
    }

    fn token(&mut self) -> BareItem {
        let start = self.i;
        while let Some(c) = self.peek() {
            if is_tchar(c) || c == b':' || c == b'/' {
                self.i += 1;
            } else {
                break;
            }
        }
        BareItem::Token(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn byte_seq(&mut self) -> Result<BareItem, ParseError> {
        self.i += 1;
        let start = self.i;
        while let Some(c) = self.peek() {
            if c == b':' {
                break;
            }
            if !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=')) {
                return Err(self.err("invalid character in byte sequence"));
            }
            self.i += 1;
        }
        if self.done() {
            return Err(self.err("unterminated byte sequence"));
        }
        let b64 = &self.s[start..self.i];
        self.i += 1;
        // RFC 8941 lets parsers accept missing padding; some signers omit it.
        let decoded = STANDARD.decode(b64).or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(b64.iter().copied().filter(|&c| c != b'=').collect::<Vec<_>>())
        });
        decoded.map(BareItem::ByteSeq).map_err(|_| self.err("invalid base64 in byte sequence"))
    }

    fn boolean(&mut self) -> Result<BareItem, ParseError> {
        self.i += 1;
        let value = match self.peek() {
            Some(b'1') => true,
            Some(b'0') => false,
            _ => return Err(self.err("a boolean is ?0 or ?1")),
        };
        self.i += 1;
        Ok(BareItem::Boolean(value))
    }
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

fn canonical_decimal(negative: bool, digits: &str) -> String {
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    format!(
        "{}{}.{}",
        if negative { "-" } else { "" },
        if int.is_empty() { "0" } else { int },
        if frac.is_empty() { "0" } else { frac }
    )
}

/// Serialises a bare item (RFC 8941 §4.1.3). Strings are escaped; characters a string cannot
/// hold cannot occur, since every string here came from the parser or from our own ASCII.
pub fn serialize_bare_item(out: &mut String, item: &BareItem) {
    match item {
        BareItem::Integer(n) => {
            let _ = write!(out, "{n}");
        }
        BareItem::Decimal(d) => out.push_str(d),
        BareItem::String(s) => {
            out.push('"');
            for c in s.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        BareItem::Token(t) => out.push_str(t),
        BareItem::ByteSeq(b) => {
            out.push(':');
            out.push_str(&STANDARD.encode(b));
            out.push(':');
        }
        BareItem::Boolean(b) => out.push_str(if *b { "?1" } else { "?0" }),
    }
}

pub fn serialize_params(out: &mut String, params: &Parameters) {
    for (key, value) in params {
        out.push(';');
        out.push_str(key);
        if *value != BareItem::Boolean(true) {
            out.push('=');
            serialize_bare_item(out, value);
        }
    }
}

pub fn serialize_item(out: &mut String, item: &Item) {
    serialize_bare_item(out, &item.value);
    serialize_params(out, &item.params);
}

pub fn serialize_inner_list(out: &mut String, items: &[Item], params: &Parameters) {
    out.push('(');
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        serialize_item(out, item);
    }
    out.push(')');
    serialize_params(out, params);
}

/// Whether `s` can be carried as an sf-string (printable ASCII only).
pub fn is_valid_string(s: &str) -> bool {
    s.bytes().all(|c| (0x20..=0x7e).contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> BareItem {
        BareItem::String(v.into())
    }

    #[test]
    fn parses_a_signature_input_and_serialises_it_back() {
        let input = r#"sig1=("@method" "@target-uri" "content-digest";req "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa";alg="rsa-v1_5-sha256""#;
        let dict = parse_dictionary(input).unwrap();
        assert_eq!(dict.len(), 1);
        let (label, Member::InnerList(items, params)) = &dict[0] else { panic!("not an inner list") };
        assert_eq!(label, "sig1");
        assert_eq!(items.len(), 4);
        assert_eq!(items[2].params, vec![("req".to_string(), BareItem::Boolean(true))]);
        assert_eq!(items[3].params, vec![("name".to_string(), s("Pet"))]);
        assert_eq!(params[0], ("created".to_string(), BareItem::Integer(1618884473)));
        let mut out = format!("{label}=");
        serialize_inner_list(&mut out, items, params);
        assert_eq!(out, input);
    }

    #[test]
    fn parses_byte_sequences_tokens_decimals_and_booleans() {
        let dict = parse_dictionary("a=:AQID:, b=tok/en:x, c=-1.50, d=?0, e, f;x=1").unwrap();
        let values: Vec<&BareItem> = dict
            .iter()
            .map(|(_, m)| match m {
                Member::Item(i) => &i.value,
                Member::InnerList(..) => panic!(),
            })
            .collect();
        assert_eq!(values[0], &BareItem::ByteSeq(vec![1, 2, 3]));
        assert_eq!(values[1], &BareItem::Token("tok/en:x".into()));
        assert_eq!(values[2], &BareItem::Decimal("-1.5".into()));
        assert_eq!(values[3], &BareItem::Boolean(false));
        assert_eq!(values[4], &BareItem::Boolean(true));
        assert_eq!(values[5], &BareItem::Boolean(true));
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_in_the_first_position() {
        let dict = parse_dictionary("a=1, b=2, a=3").unwrap();
        assert_eq!(dict[0].0, "a");
        assert_eq!(dict[0].1, Member::Item(Item { value: BareItem::Integer(3), params: vec![] }));
    }

    #[test]
    fn rejects_what_rfc_8941_rejects() {
        for bad in [
            "A=1",
            "a=1,",
            "a=(1 2",
            "a=\"unterminated",
            "a=\"bad\\escape\"",
            "a=:not base64!:",
            "a=1.2345",
            "a=1234567890123456",
            "a=?2",
            "a=1 b=2",
            "a=(1)(2)",
            "a=\"\u{e9}\"",
        ] {
            assert!(parse_dictionary(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn escapes_strings_when_serialising() {
        let mut out = String::new();
        serialize_bare_item(&mut out, &s(r#"a"b\c"#));
        assert_eq!(out, r#""a\"b\\c""#);
        assert_eq!(
            parse_dictionary(&format!("k={out}")).unwrap()[0].1,
            Member::Item(Item { value: s(r#"a"b\c"#), params: vec![] })
        );
    }
}
