//! Splitting a post into tokens and sentences, keeping byte offsets so every finding can
//! point at the exact text it is about.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Starts with a letter; may hold digits, inner apostrophes and hyphens.
    Word,
    /// ASCII digits only.
    Num,
    /// Any other single non-space character.
    Punct,
}

#[derive(Debug, Clone)]
pub(crate) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Sentence number, counting from 0.
    pub sent: u32,
    /// First character is upper case.
    pub cap: bool,
    /// Every letter is upper case and there are at least two.
    pub all_caps: bool,
    /// Whitespace separates this token from the previous one.
    pub space_before: bool,
    /// Lower case, curly apostrophes made straight.
    pub norm: String,
}

impl Tok {
    pub fn is_word(&self) -> bool {
        self.kind == Kind::Word
    }
    pub fn is_num(&self) -> bool {
        self.kind == Kind::Num
    }
    /// The word without a possessive ending (`reid's` → `reid`, `jones'` → `jones`).
    pub fn stem(&self) -> &str {
        let n = self.norm.as_str();
        n.strip_suffix("'s").or_else(|| n.strip_suffix('\'')).unwrap_or(n)
    }
    pub fn possessive(&self) -> bool {
        self.norm.ends_with("'s") || (self.norm.ends_with('\'') && self.norm.len() > 1)
    }
}

pub(crate) struct Doc<'a> {
    pub text: &'a str,
    pub toks: Vec<Tok>,
}

/// Words before a full stop that do not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "no", "prof", "approx", "vs", "etc", "eg", "ie", "al", "sr", "jr", "rev", "hosp",
    "tel", "ext", "ref", "fig", "vol", "pt", "pts", "yrs", "dob", "mx", "nos", "co", "inc", "ltd", "sgt", "capt",
    "col", "gen", "gov", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon",
    "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "rd", "ave", "wk", "wks", "mins",
];

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

impl<'a> Doc<'a> {
    pub fn new(text: &'a str) -> Doc<'a> {
        let mut toks: Vec<Tok> = Vec::with_capacity(text.len() / 4 + 1);
        let mut sent: u32 = 0;
        let mut space_before = true;
        let mut iter = text.char_indices().peekable();
        while let Some((start, c)) = iter.next() {
            if c.is_whitespace() {
                space_before = true;
                if c == '\n' && toks.last().is_some_and(|t| t.sent == sent) {
                    sent += 1;
                }
                continue;
            }
            let mut end = start + c.len_utf8();
            let kind = if c.is_alphabetic() {
                while let Some(&(i, d)) = iter.peek() {
                    if d.is_alphanumeric() {
                        iter.next();
                        end = i + d.len_utf8();
                        continue;
                    }
                    if is_apostrophe(d) || d == '-' {
                        // Joiner only when a letter follows it: "o'brien", "year-old".
                        let after = text[i + d.len_utf8()..].chars().next();
                        if after.is_some_and(|a| a.is_alphabetic()) {
                            iter.next();
                            end = i + d.len_utf8();
                            continue;
                        }
                        // A trailing possessive apostrophe: "Jones' family".
                        if is_apostrophe(d)
                            && text[start..i].ends_with(['s', 'S'])
                            && after.is_none_or(|a| !a.is_alphanumeric())
                        {
                            iter.next();
                            end = i + d.len_utf8();
                        }
                    }
                    break;
                }
                Kind::Word
            } else if c.is_ascii_digit() {
                while let Some(&(i, d)) = iter.peek() {
                    if d.is_ascii_digit() {
                        iter.next();
                        end = i + 1;
                    } else {
                        break;
                    }
                }
                Kind::Num
            } else {
                Kind::Punct
            };
            let raw = &text[start..end];
            let norm = if raw.is_ascii() {
                raw.to_ascii_lowercase()
            } else if raw.contains('’') {
                raw.to_lowercase().replace('’', "'")
            } else {
                raw.to_lowercase()
            };
            let cap = raw.chars().next().is_some_and(char::is_uppercase);
            let letters = raw.chars().filter(|c| c.is_alphabetic()).count();
            let all_caps = letters >= 2 && !raw.chars().any(char::is_lowercase);
            toks.push(Tok { start, end, kind, sent, cap, all_caps, space_before, norm });
            space_before = false;
            if kind == Kind::Punct && ends_sentence(text, &toks) {
                sent += 1;
            }
        }
        Doc { text, toks }
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }

    pub fn get(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i)
    }

    /// The norm of token `i`, or "" past either end.
    pub fn norm(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.norm.as_str())
    }

    /// Index of the nearest word token before `i` in the same sentence, skipping punctuation.
    pub fn prev_word(&self, i: usize) -> Option<usize> {
        let sent = self.toks.get(i)?.sent;
        (0..i).rev().take_while(|&j| self.toks[j].sent == sent).find(|&j| self.toks[j].kind != Kind::Punct)
    }

    /// Up to `n` word/number tokens before `i` in its sentence, nearest first.
    pub fn words_before(&self, i: usize, n: usize) -> impl Iterator<Item = usize> + '_ {
        let sent = self.toks.get(i).map_or(u32::MAX, |t| t.sent);
        (0..i.min(self.toks.len()))
            .rev()
            .take_while(move |&j| self.toks[j].sent == sent)
            .filter(|&j| self.toks[j].kind != Kind::Punct)
            .take(n)
    }

    /// Up to `n` word/number tokens after `i` in its sentence, nearest first.
    pub fn words_after(&self, i: usize, n: usize) -> impl Iterator<Item = usize> + '_ {
        let sent = self.toks.get(i).map_or(u32::MAX, |t| t.sent);
        (i + 1..self.toks.len())
            .take_while(move |&j| self.toks[j].sent == sent)
            .filter(|&j| self.toks[j].kind != Kind::Punct)
            .take(n)
    }

    /// Token index range `[first, last]` of the sentence holding token `i`.
    pub fn sentence_of(&self, i: usize) -> (usize, usize) {
        let Some(t) = self.toks.get(i) else {
            return (0, 0);
        };
        let mut a = i;
        while a > 0 && self.toks[a - 1].sent == t.sent {
            a -= 1;
        }
        let mut b = i;
        while b + 1 < self.toks.len() && self.toks[b + 1].sent == t.sent {
            b += 1;
        }
        (a, b)
    }

    /// Does the token sequence starting at `i` spell `words` (already normalised)?
    pub fn matches_at(&self, i: usize, words: &[String]) -> bool {
        words
            .iter()
            .enumerate()
            .all(|(k, w)| self.toks.get(i + k).is_some_and(|t| t.norm == *w && (k == 0 || t.sent == self.toks[i].sent)))
    }

    /// The token index holding byte offset `pos` (or the first token after it).
    pub fn token_at(&self, pos: usize) -> usize {
        self.toks.partition_point(|t| t.end <= pos)
    }
}

/// Does the punctuation token just pushed end a sentence?
fn ends_sentence(text: &str, toks: &[Tok]) -> bool {
    let Some(last) = toks.last() else {
        return false;
    };
    match &text[last.start..last.end] {
        "!" | "?" => true,
        "." => {
            let next = text[last.end..].chars().next();
            if !next.is_none_or(char::is_whitespace) {
                return false;
            }
            let Some(prev) = toks.len().checked_sub(2).map(|i| &toks[i]) else {
                return true;
            };
            if prev.end != last.start {
                return true;
            }
            let single_letter = prev.kind == Kind::Word && prev.norm.chars().count() == 1;
            !(single_letter || ABBREVIATIONS.contains(&prev.norm.as_str()))
        }
        _ => false,
    }
}

/// Normalises a lexicon phrase into token norms the same way the text is.
pub(crate) fn phrase_norms(phrase: &str) -> Vec<String> {
    Doc::new(phrase).toks.into_iter().map(|t| t.norm).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str) -> Vec<String> {
        Doc::new(text).toks.into_iter().map(|t| t.norm).collect()
    }

    #[test]
    fn splits_words_numbers_and_punctuation() {
        assert_eq!(
            norms("Mrs O’Brien's 93-year-old dad, bed 4B."),
            ["mrs", "o'brien's", "93", "-", "year-old", "dad", ",", "bed", "4", "b", "."]
        );
        assert_eq!(norms("Jones' family"), ["jones'", "family"]);
        assert_eq!(norms("K1234567"), ["k1234567"]);
    }

    #[test]
    fn sentences_break_on_stops_but_not_on_titles() {
        let d = Doc::new("Mr. Smith is in bed 4. She is fine! Next\nline");
        let sents: Vec<u32> = d.toks.iter().map(|t| t.sent).collect();
        assert_eq!(sents, [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 3]);
    }

    #[test]
    fn offsets_are_exact_with_multibyte_text() {
        let text = "Café – Zoë’s bay";
        let d = Doc::new(text);
        for t in &d.toks {
            assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        }
        assert_eq!(&text[d.toks[2].start..d.toks[2].end], "Zoë’s");
        assert_eq!(d.toks[2].stem(), "zoë");
    }
}
