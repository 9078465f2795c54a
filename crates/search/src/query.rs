//! The query language people type into the search box, as Mastodon users know it:
//! words, `"exact phrases"`, `-excluded` words, `#hashtags`, and the operators `from:`,
//! `has:`, `is:`, `language:`, `before:`, `after:`, `during:` and `in:`. Parsing is pure;
//! the app resolves `from:` handles to accounts.

use chrono::NaiveDate;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    Word(String),
    Phrase(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Has {
    Media,
    Poll,
    Link,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Is {
    Reply,
    Sensitive,
}

/// Which posts to look in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Everything the viewer may see.
    #[default]
    All,
    /// The viewer's own bookmarks and favourites.
    Library,
    /// Only public posts.
    Public,
}

/// A parsed query. Empty lists mean "no condition".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub include: Vec<Text>,
    pub exclude: Vec<Text>,
    /// Hashtags the post must carry (lower-cased, without `#`).
    pub tags: Vec<String>,
    pub exclude_tags: Vec<String>,
    /// `from:` handles as typed, without a leading `@` (`me`, `alice`, `alice@host`).
    pub from: Vec<String>,
    pub has: Vec<Has>,
    pub has_not: Vec<Has>,
    pub is: Vec<Is>,
    pub is_not: Vec<Is>,
    pub language: Option<String>,
    /// Posts made before the start of this day (UTC).
    pub before: Option<NaiveDate>,
    /// Posts made after the end of this day (UTC).
    pub after: Option<NaiveDate>,
    pub during: Option<NaiveDate>,
    pub scope: Scope,
}

impl SearchQuery {
    /// Whether the query asks for something, not only leaves things out: a query of
    /// exclusions alone ("-chemo") would match nearly every post.
    pub fn has_conditions(&self) -> bool {
        !self.include.is_empty()
            || !self.tags.is_empty()
            || !self.from.is_empty()
            || !self.has.is_empty()
            || !self.is.is_empty()
            || self.language.is_some()
            || self.before.is_some()
            || self.after.is_some()
            || self.during.is_some()
            || self.scope == Scope::Library
    }

    /// The words and phrases to match, joined back into text (for account and tag search).
    pub fn plain_text(&self) -> String {
        self.include
            .iter()
            .map(|t| match t {
                Text::Word(w) | Text::Phrase(w) => w.as_str(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Why a query could not be understood; the message is shown to the person as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("Type something to search for: a word, a #hashtag or an operator such as from:@someone")]
    Empty,
    #[error("The search is too long: {0} characters, the most is {MAX_QUERY_CHARS}")]
    TooLong(usize),
    #[error("The search has an opening quotation mark (\") without a closing one")]
    UnbalancedQuote,
    #[error("`{operator}:` needs a value, for example {example}")]
    MissingValue { operator: &'static str, example: &'static str },
    #[error("`{operator}:{value}` is not understood; {operator}: can be {allowed}")]
    BadValue { operator: &'static str, value: String, allowed: &'static str },
    #[error("`{operator}:{value}` is not a date; write it as YYYY-MM-DD, for example {operator}:2026-01-31")]
    BadDate { operator: &'static str, value: String },
}

/// Splits the query into pieces, honouring quotes. Returns (negated, text, was_quoted).
fn pieces(q: &str) -> Result<Vec<(bool, String, bool)>, QueryError> {
    let mut out = Vec::new();
    let mut chars = q.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        let negated = first == '-' && {
            chars.next();
            chars.peek().is_some_and(|c| !c.is_whitespace())
        };
        if chars.peek() == Some(&'"') || chars.peek() == Some(&'“') {
            chars.next();
            let mut phrase = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == '"' || c == '”' || c == '“' {
                    closed = true;
                    break;
                }
                phrase.push(c);
            }
            if !closed {
                return Err(QueryError::UnbalancedQuote);
            }
            out.push((negated, phrase, true));
            continue;
        }
        // A word ends at white space or at a quote, which then opens a phrase of its own.
        let mut word = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '"' && *c != '“') {
            word.push(c);
        }
        if word.is_empty() && negated {
            word.push('-');
        }
        if !word.is_empty() {
            out.push((negated, word, false));
        }
    }
    Ok(out)
}

fn date(operator: &'static str, value: &str) -> Result<NaiveDate, QueryError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| QueryError::BadDate { operator, value: value.into() })
}

/// Parses what a person typed.
pub fn parse(q: &str) -> Result<SearchQuery, QueryError> {
    let len = q.chars().count();
    if len > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong(len));
    }
    if q.trim().is_empty() {
        return Err(QueryError::Empty);
    }
    if q.chars().filter(|c| *c == '"').count() % 2 == 1 {
        return Err(QueryError::UnbalancedQuote);
    }
    let mut out = SearchQuery::default();
    for (negated, piece, quoted) in pieces(q)? {
        if quoted {
            if !piece.trim().is_empty() {
                let list = if negated { &mut out.exclude } else { &mut out.include };
                list.push(Text::Phrase(piece));
            }
            continue;
        }
        if let Some(tag) = piece.strip_prefix('#').filter(|t| !t.is_empty()) {
            let tag = tag.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_').to_lowercase();
            if !tag.is_empty() {
                let list = if negated { &mut out.exclude_tags } else { &mut out.tags };
                list.push(tag);
            }
            continue;
        }
        let Some((op, value)) = piece.split_once(':') else {
            let list = if negated { &mut out.exclude } else { &mut out.include };
            list.push(Text::Word(piece));
            continue;
        };
        let value = value.trim();
        let lower = value.to_lowercase();
        match op.to_lowercase().as_str() {
            "from" => {
                let handle = value.trim_start_matches('@');
                if handle.is_empty() {
                    return Err(QueryError::MissingValue { operator: "from", example: "from:@alice" });
                }
                out.from.push(handle.to_string());
            }
            "has" => {
                let has = match lower.as_str() {
                    "media" | "image" | "video" | "audio" => Has::Media,
                    "poll" => Has::Poll,
                    "link" | "embed" => Has::Link,
                    "" => return Err(QueryError::MissingValue { operator: "has", example: "has:media" }),
                    _ => {
                        return Err(QueryError::BadValue {
                            operator: "has",
                            value: value.into(),
                            allowed: "media, poll or link",
                        });
                    }
                };
                if negated { out.has_not.push(has) } else { out.has.push(has) }
            }
            "is" => {
                let is = match lower.as_str() {
                    "reply" => Is::Reply,
                    "sensitive" => Is::Sensitive,
                    "" => return Err(QueryError::MissingValue { operator: "is", example: "is:reply" }),
                    _ => {
                        return Err(QueryError::BadValue {
                            operator: "is",
                            value: value.into(),
                            allowed: "reply or sensitive",
                        });
                    }
                };
                if negated { out.is_not.push(is) } else { out.is.push(is) }
            }
            "in" => {
                out.scope = match lower.as_str() {
                    "library" => Scope::Library,
                    "all" => Scope::All,
                    "public" => Scope::Public,
                    "" => return Err(QueryError::MissingValue { operator: "in", example: "in:library" }),
                    _ => {
                        return Err(QueryError::BadValue {
                            operator: "in",
                            value: value.into(),
                            allowed: "library, public or all",
                        });
                    }
                }
            }
            "language" | "lang" => {
                if !(2..=3).contains(&lower.len()) || !lower.chars().all(|c| c.is_ascii_lowercase()) {
                    return Err(QueryError::BadValue {
                        operator: "language",
                        value: value.into(),
                        allowed: "a two- or three-letter language code such as en",
                    });
                }
                out.language = Some(lower);
            }
            "before" => out.before = Some(date("before", value)?),
            "after" => out.after = Some(date("after", value)?),
            "during" => out.during = Some(date("during", value)?),
            // Not an operator (a URL, a time like 10:30, "note:"): ordinary words.
            _ => {
                let list = if negated { &mut out.exclude } else { &mut out.include };
                list.push(Text::Word(piece));
            }
        }
    }
    if !out.has_conditions() {
        return Err(QueryError::Empty);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_and_negation() {
        let q = parse(r#"sarcoma "rare cancer" -chemo"#).unwrap();
        assert_eq!(q.include, vec![Text::Word("sarcoma".into()), Text::Phrase("rare cancer".into())]);
        assert_eq!(q.exclude, vec![Text::Word("chemo".into())]);
    }

    #[test]
    fn operators() {
        let q =
            parse("from:@alice has:media -has:poll is:reply #NHS language:en before:2026-01-02 in:library x").unwrap();
        assert_eq!(q.from, vec!["alice"]);
        assert_eq!(q.has, vec![Has::Media]);
        assert_eq!(q.has_not, vec![Has::Poll]);
        assert_eq!(q.is, vec![Is::Reply]);
        assert_eq!(q.tags, vec!["nhs"]);
        assert_eq!(q.language.as_deref(), Some("en"));
        assert_eq!(q.before, NaiveDate::from_ymd_opt(2026, 1, 2));
        assert_eq!(q.scope, Scope::Library);
    }

    #[test]
    fn bad_queries_say_what_is_wrong() {
        assert_eq!(parse("   "), Err(QueryError::Empty));
        assert_eq!(parse(&"a".repeat(600)), Err(QueryError::TooLong(600)));
        assert_eq!(parse(r#""unclosed phrase"#), Err(QueryError::UnbalancedQuote));
        assert_eq!(parse(r#"a "b" "c"#), Err(QueryError::UnbalancedQuote));
        let e = parse("has:cats").unwrap_err();
        assert_eq!(e.to_string(), "`has:cats` is not understood; has: can be media, poll or link");
        assert!(matches!(parse("before:yesterday"), Err(QueryError::BadDate { .. })));
        assert!(matches!(parse("from:"), Err(QueryError::MissingValue { .. })));
    }

    #[test]
    fn unknown_prefixes_are_words() {
        let q = parse("https://example.org/x 10:30").unwrap();
        assert_eq!(q.include.len(), 2);
    }

    #[test]
    fn never_panics_on_odd_input() {
        for q in ["-", "--", "- -", "#", "-#", "\"\"", "“curly”", "a:b:c", ":", "-\"x\"", "é:"] {
            let _ = parse(q);
        }
    }
}
