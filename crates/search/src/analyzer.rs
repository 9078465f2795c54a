//! How post text becomes search terms, for indexing and for queries alike: split into words,
//! lower-cased, accents folded, British medical spellings mapped to one form, then stemmed.
//!
//! The spelling step is why "haematology" finds "hematology" and "paediatric" finds
//! "pediatric": health writing in the UK mixes both, and a patient copying a US leaflet
//! should find the UK community. Only the spellings listed in [`WITHIN_WORD`] and
//! [`WORD_START`] and the `-isation` ending are mapped, so ordinary words keep their shape.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// The name the post-text analyzer is registered under in the index.
pub const ANALYZER: &str = "canteen_en";

/// The analyzer for post text and for the words of a query.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(BritishSpelling)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The terms a piece of text becomes, in order (used to build queries).
pub fn terms(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// British spellings common in health writing, mapped wherever they occur in a word:
/// "lymphoedema", "polycythaemia" and "orthopaedic" carry them in the middle.
const WITHIN_WORD: &[(&str, &str)] = &[
    ("aemia", "emia"),
    ("haem", "hem"),
    ("glycaem", "glycem"),
    ("ischaem", "ischem"),
    ("paed", "ped"),
    ("gynaec", "gynec"),
    ("oedem", "edem"),
    ("oesoph", "esoph"),
    ("oestr", "estr"),
    ("rrhoea", "rrhea"),
    ("pnoea", "pnea"),
    ("coeli", "celi"),
    ("anaesth", "anesth"),
    ("aetiol", "etiol"),
    ("foet", "fet"),
    ("caesar", "cesar"),
    ("manoeuv", "maneuv"),
];

/// Whole-word starts, where the pattern would be wrong inside other words ("-our" is in
/// "four" and "hour"; "centre" in nothing else, but kept exact for clarity).
const WORD_START: &[(&str, &str)] = &[
    ("tumour", "tumor"),
    ("centre", "center"),
    ("fibre", "fiber"),
    ("litre", "liter"),
    ("metre", "meter"),
    ("programme", "program"),
    ("ageing", "aging"),
    ("behaviour", "behavior"),
    ("colour", "color"),
    ("favour", "favor"),
    ("labour", "labor"),
    ("neighbour", "neighbor"),
    ("honour", "honor"),
    ("humour", "humor"),
    ("vapour", "vapor"),
    ("odour", "odor"),
    ("rumour", "rumor"),
];

/// Maps one lower-cased word to its American spelling, or `None` if it has no British form.
pub fn americanise(word: &str) -> Option<String> {
    // Every within-word pattern has "ae" or "oe" in it; most words have neither, and this
    // runs for every word of every post, so they leave without allocating.
    let within = word.contains("ae") || word.contains("oe");
    let start = WORD_START.iter().any(|(uk, _)| word.starts_with(uk));
    let suffix = word.ends_with("isation") || word.ends_with("isations");
    if !(within || start || suffix) {
        return None;
    }
    let mut out = word.to_string();
    if within {
        for (uk, us) in WITHIN_WORD {
            if out.contains(uk) {
                out = out.replace(uk, us);
            }
        }
    }
    if let Some((uk, us)) = WORD_START.iter().find(|(uk, _)| out.starts_with(uk)) {
        out = format!("{us}{}", &out[uk.len()..]);
    }
    // "-isation" is always "-ization" in US spelling (organisation, immunisation).
    for (uk, us) in [("isation", "ization"), ("isations", "izations")] {
        if let Some(stem) = out.strip_suffix(uk)
            && stem.len() >= 3
        {
            out = format!("{stem}{us}");
        }
    }
    (out != word).then_some(out)
}

#[derive(Clone)]
struct BritishSpelling;

impl TokenFilter for BritishSpelling {
    type Tokenizer<T: Tokenizer> = BritishSpellingFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> BritishSpellingFilter<T> {
        BritishSpellingFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
struct BritishSpellingFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for BritishSpellingFilter<T> {
    type TokenStream<'a> = BritishSpellingStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        BritishSpellingStream { tail: self.inner.token_stream(text) }
    }
}

struct BritishSpellingStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for BritishSpellingStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        if let Some(us) = americanise(&self.tail.token().text) {
            self.tail.token_mut().text = us;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn british_and_american_spellings_meet() {
        for (uk, us) in [
            ("haematology", "hematology"),
            ("Paediatric", "pediatric"),
            ("oesophageal", "esophageal"),
            ("tumours", "tumors"),
            ("immunisation", "immunization"),
            ("anaesthetist", "anesthetist"),
            ("orthopaedics", "orthopedics"),
            ("lymphoedema", "lymphedema"),
            ("polycythaemia", "polycythemia"),
            ("leukaemia", "leukemia"),
            ("diarrhoea", "diarrhea"),
            ("hypoglycaemic", "hypoglycemic"),
        ] {
            assert_eq!(terms(uk), terms(us), "{uk} vs {us}");
        }
    }

    #[test]
    fn ordinary_words_are_left_alone() {
        // "our", "four", "hour" end in -our but are not British spellings of anything.
        assert_eq!(americanise("four"), None);
        assert_eq!(americanise("hour"), None);
        assert_eq!(americanise("paper"), None);
        assert_eq!(terms("Running runs"), vec!["run", "run"]);
    }

    #[test]
    fn accents_fold() {
        assert_eq!(terms("café naïve"), terms("cafe naive"));
    }
}
