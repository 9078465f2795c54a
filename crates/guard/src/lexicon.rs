//! The built-in word lists, compiled into the binary and parsed once.

use std::collections::{HashMap, HashSet};

use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use crate::text::{Doc, phrase_norms};

/// FNV-1a: the lists are our own, so hash flooding is not a concern, and short words hash
/// several times faster than with the default SipHash.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type FastBuild = BuildHasherDefault<Fnv>;
pub(crate) type Set = HashSet<String, FastBuild>;
pub(crate) type Map<V> = HashMap<String, V, FastBuild>;

/// Multi-word phrases indexed by their first token, each with a payload.
pub(crate) struct PhraseSet<T> {
    by_first: Map<Vec<(Vec<String>, T)>>,
}

impl<T> PhraseSet<T> {
    fn new() -> Self {
        PhraseSet { by_first: Map::default() }
    }

    fn insert(&mut self, phrase: &str, payload: T) {
        let words = phrase_norms(phrase);
        let Some(first) = words.first().cloned() else {
            return;
        };
        let entries = self.by_first.entry(first).or_default();
        entries.push((words, payload));
        // Longest first, so the first match found is the longest.
        entries.sort_by_key(|e| std::cmp::Reverse(e.0.len()));
    }

    /// Is `word` a one-word phrase of the set ("cornwall" for "Cornwall's")?
    pub fn has_single(&self, word: &str) -> bool {
        self.by_first.get(word).is_some_and(|e| e.iter().any(|(w, _)| w.len() == 1))
    }

    /// The longest phrase starting at token `i`: its length in tokens and its payload.
    pub fn longest_at(&self, doc: &Doc, i: usize) -> Option<(usize, &T)> {
        let first = doc.get(i)?;
        let entries = self.by_first.get(first.norm.as_str())?;
        entries.iter().find(|(words, _)| doc.matches_at(i, words)).map(|(words, t)| (words.len(), t))
    }
}

/// A set of single words, looked up by `&str`, `&&str` or `&String`.
#[derive(Default)]
pub(crate) struct WordSet(Set);

impl WordSet {
    pub fn contains<S: AsRef<str> + ?Sized>(&self, w: &S) -> bool {
        self.0.contains(w.as_ref())
    }
    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.0.iter()
    }
}

/// The cue-word classes of `lists/cues.txt`, one field per `[section]`.
#[derive(Default)]
pub(crate) struct Cues {
    pub other_titles: WordSet,
    pub person_nouns: WordSet,
    pub relatives: WordSet,
    pub care_verbs: WordSet,
    pub patient_possessions: WordSet,
    pub clinical: WordSet,
    pub care_context: WordSet,
    pub procedures: WordSet,
    pub family_after: WordSet,
    pub endearments: WordSet,
    pub thanks: WordSet,
    pub staff_activity: WordSet,
    pub place_after: WordSet,
    pub eponym_after: WordSet,
    pub public_roles: WordSet,
    pub org_words: WordSet,
    pub private_words: WordSet,
    pub role_mailboxes: WordSet,
    pub role_parts: WordSet,
    pub residence_words: WordSet,
    pub person_words: WordSet,
    pub non_care_rooms: WordSet,
    pub location_nouns: WordSet,
    pub detail_words: WordSet,
    pub negators: WordSet,
    pub reporting: WordSet,
    pub acronyms: WordSet,
    pub not_a_patient_number: WordSet,
    pub patient_words: WordSet,
    pub other_code_words: WordSet,
    pub not_a_person: WordSet,
    pub care_actions: WordSet,
    pub person_verbs: WordSet,
    pub care_words: WordSet,
    pub everyday_words: WordSet,
    pub death_words: WordSet,
    pub progress_words: WordSet,
    pub fiction_words: WordSet,
    pub fame_words: WordSet,
    pub pets: WordSet,
}

impl Cues {
    fn parse(list: &str) -> Cues {
        let mut cues = Cues::default();
        let mut current: Option<&mut WordSet> = None;
        for line in list.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                current = Some(match name {
                    "other_titles" => &mut cues.other_titles,
                    "person_nouns" => &mut cues.person_nouns,
                    "relatives" => &mut cues.relatives,
                    "care_verbs" => &mut cues.care_verbs,
                    "patient_possessions" => &mut cues.patient_possessions,
                    "clinical" => &mut cues.clinical,
                    "care_context" => &mut cues.care_context,
                    "procedures" => &mut cues.procedures,
                    "family_after" => &mut cues.family_after,
                    "endearments" => &mut cues.endearments,
                    "thanks" => &mut cues.thanks,
                    "staff_activity" => &mut cues.staff_activity,
                    "place_after" => &mut cues.place_after,
                    "eponym_after" => &mut cues.eponym_after,
                    "public_roles" => &mut cues.public_roles,
                    "org_words" => &mut cues.org_words,
                    "private_words" => &mut cues.private_words,
                    "role_mailboxes" => &mut cues.role_mailboxes,
                    "role_parts" => &mut cues.role_parts,
                    "residence_words" => &mut cues.residence_words,
                    "person_words" => &mut cues.person_words,
                    "non_care_rooms" => &mut cues.non_care_rooms,
                    "location_nouns" => &mut cues.location_nouns,
                    "detail_words" => &mut cues.detail_words,
                    "negators" => &mut cues.negators,
                    "reporting" => &mut cues.reporting,
                    "acronyms" => &mut cues.acronyms,
                    "not_a_patient_number" => &mut cues.not_a_patient_number,
                    "patient_words" => &mut cues.patient_words,
                    "other_code_words" => &mut cues.other_code_words,
                    "not_a_person" => &mut cues.not_a_person,
                    "care_actions" => &mut cues.care_actions,
                    "person_verbs" => &mut cues.person_verbs,
                    "care_words" => &mut cues.care_words,
                    "everyday_words" => &mut cues.everyday_words,
                    "death_words" => &mut cues.death_words,
                    "progress_words" => &mut cues.progress_words,
                    "fiction_words" => &mut cues.fiction_words,
                    "fame_words" => &mut cues.fame_words,
                    "pets" => &mut cues.pets,
                    _ => {
                        current = None;
                        continue;
                    }
                });
                continue;
            }
            if let Some(set) = current.as_mut() {
                set.0.extend(line.split_whitespace().map(str::to_string));
            }
        }
        cues
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EmotionKind {
    Anger,
    Distress,
    Profanity,
    Calm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GrievanceKind {
    Employer,
    Colleague,
    Patient,
    Complaint,
    Strong,
}

/// The kinds of detail in `lists/facets.txt` (see `place.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Facet {
    Stage,
    Condition,
    Occupation,
    Venue,
    Event,
    Family,
    Singling,
    Time,
}

/// The cue classes of `lists/tone.txt` (see `tone.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ToneClass {
    Despair,
    Sarcasm,
    PraiseWord,
    Mistreatment,
    Repetition,
    Exhaustion,
    Intensifier,
    Address,
    Rhetorical,
    Grief,
    Gratitude,
    Campaign,
    Humour,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nation {
    Scotland,
    NorthernIreland,
    Other,
}

pub(crate) struct Lexicon {
    pub given: Set,
    pub given_ambiguous: Set,
    /// Given names from a wider published list (see `given_names_extra.txt`): names only
    /// when capitalised or after a title.
    pub given_extra: Set,
    pub surnames: Set,
    /// Full names ("florence nightingale") and single famous names ("seacole").
    pub public_figures: Set,
    /// Eponym stems, with whether the bare possessive names a condition.
    pub eponyms: Map<bool>,
    pub roles: Set,
    pub not_names: Set,
    pub street_types: Set,
    pub rare_conditions: PhraseSet<()>,
    pub places: PhraseSet<Nation>,
    pub emotion: PhraseSet<(f32, EmotionKind)>,
    pub grievance: PhraseSet<GrievanceKind>,
    pub tone: PhraseSet<ToneClass>,
    pub facets: PhraseSet<Facet>,
    pub cues: Cues,
}

fn entries(list: &'static str) -> impl Iterator<Item = &'static str> {
    list.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn set(list: &'static str) -> Set {
    entries(list).map(|l| l.to_lowercase()).collect()
}

/// Splits `phrase | a | b` lines.
fn fields(line: &str) -> Vec<&str> {
    line.split('|').map(str::trim).collect()
}

impl Lexicon {
    /// The built-in lists, parsed on first use and shared (read-only) afterwards.
    pub fn get() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(Lexicon::build)
    }

    pub(crate) fn build() -> Lexicon {
        let mut rare_conditions = PhraseSet::new();
        for l in entries(include_str!("../lists/rare_conditions.txt")) {
            rare_conditions.insert(l, ());
        }
        let mut places = PhraseSet::new();
        for l in entries(include_str!("../lists/places.txt")) {
            let f = fields(l);
            let nation = match f.get(1) {
                Some(&"s") => Nation::Scotland,
                Some(&"n") => Nation::NorthernIreland,
                _ => Nation::Other,
            };
            places.insert(f[0], nation);
        }
        let mut emotion = PhraseSet::new();
        for l in entries(include_str!("../lists/emotion.txt")) {
            let f = fields(l);
            let weight = f.get(1).and_then(|w| w.parse::<f32>().ok()).unwrap_or(0.0);
            let kind = match f.get(2) {
                Some(&"distress") => EmotionKind::Distress,
                Some(&"profanity") => EmotionKind::Profanity,
                Some(&"calm") => EmotionKind::Calm,
                _ => EmotionKind::Anger,
            };
            emotion.insert(f[0], (weight, kind));
        }
        let mut grievance = PhraseSet::new();
        for l in entries(include_str!("../lists/grievance.txt")) {
            let f = fields(l);
            let kind = match f.get(1) {
                Some(&"employer") => GrievanceKind::Employer,
                Some(&"colleague") => GrievanceKind::Colleague,
                Some(&"patient") => GrievanceKind::Patient,
                Some(&"strong") => GrievanceKind::Strong,
                _ => GrievanceKind::Complaint,
            };
            grievance.insert(f[0], kind);
        }
        let mut tone = PhraseSet::new();
        for l in entries(include_str!("../lists/tone.txt")) {
            let f = fields(l);
            let class = match f.get(1).copied().unwrap_or("") {
                "despair" => ToneClass::Despair,
                "sarcasm" => ToneClass::Sarcasm,
                "praise_word" => ToneClass::PraiseWord,
                "mistreatment" => ToneClass::Mistreatment,
                "repetition" => ToneClass::Repetition,
                "exhaustion" => ToneClass::Exhaustion,
                "intensifier" => ToneClass::Intensifier,
                "address" => ToneClass::Address,
                "rhetorical" => ToneClass::Rhetorical,
                "grief" => ToneClass::Grief,
                "gratitude" => ToneClass::Gratitude,
                "campaign" => ToneClass::Campaign,
                _ => ToneClass::Humour,
            };
            tone.insert(f[0], class);
        }
        let mut facets = PhraseSet::new();
        for l in entries(include_str!("../lists/facets.txt")) {
            let f = fields(l);
            let facet = match f.get(1).copied().unwrap_or("") {
                "stage" => Facet::Stage,
                "condition" => Facet::Condition,
                "occupation" => Facet::Occupation,
                "venue" => Facet::Venue,
                "event" => Facet::Event,
                "family" => Facet::Family,
                "singling" => Facet::Singling,
                _ => Facet::Time,
            };
            facets.insert(f[0], facet);
        }
        let eponyms = entries(include_str!("../lists/eponyms.txt"))
            .map(|l| {
                let bare = l.ends_with('!');
                (l.trim_end_matches('!').trim().to_lowercase(), bare)
            })
            .collect();
        Lexicon {
            given: set(include_str!("../lists/given_names.txt")),
            given_ambiguous: set(include_str!("../lists/given_names_ambiguous.txt")),
            given_extra: set(include_str!("../lists/given_names_extra.txt")),
            surnames: {
                let mut s = set(include_str!("../lists/surnames.txt"));
                s.extend(set(include_str!("../lists/surnames_extra.txt")));
                s
            },
            public_figures: set(include_str!("../lists/public_figures.txt")),
            eponyms,
            roles: set(include_str!("../lists/roles.txt")),
            not_names: set(include_str!("../lists/not_names.txt")),
            street_types: set(include_str!("../lists/street_types.txt")),
            rare_conditions,
            places,
            emotion,
            grievance,
            tone,
            facets,
            cues: Cues::parse(include_str!("../lists/cues.txt")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_load_and_phrases_match_longest_first() {
        let lex = Lexicon::get();
        assert!(lex.given.contains("doris"));
        assert!(lex.given_ambiguous.contains("will"));
        assert!(!lex.given.contains("will"));
        assert!(lex.surnames.contains("o'brien"));
        assert_eq!(lex.eponyms.get("crohn"), Some(&true));
        assert_eq!(lex.eponyms.get("down"), Some(&false));
        let doc = Doc::new("I am sick and tired of this");
        let (len, (w, _)) = lex.emotion.longest_at(&doc, 2).unwrap();
        assert_eq!((len, *w), (3, 2.0));
        assert!(lex.cues.person_nouns.contains("patient"));
        assert!(lex.cues.not_a_person.contains(&"nhs"));
        // Every section in the file is one the parser knows (none silently dropped).
        let sections = include_str!("../lists/cues.txt").lines().filter(|l| l.starts_with('[')).count();
        let loaded = [
            &lex.cues.other_titles,
            &lex.cues.person_nouns,
            &lex.cues.relatives,
            &lex.cues.care_verbs,
            &lex.cues.patient_possessions,
            &lex.cues.clinical,
            &lex.cues.care_context,
            &lex.cues.procedures,
            &lex.cues.family_after,
            &lex.cues.endearments,
            &lex.cues.thanks,
            &lex.cues.staff_activity,
            &lex.cues.place_after,
            &lex.cues.eponym_after,
            &lex.cues.public_roles,
            &lex.cues.org_words,
            &lex.cues.private_words,
            &lex.cues.role_mailboxes,
            &lex.cues.role_parts,
            &lex.cues.residence_words,
            &lex.cues.person_words,
            &lex.cues.non_care_rooms,
            &lex.cues.location_nouns,
            &lex.cues.detail_words,
            &lex.cues.negators,
            &lex.cues.reporting,
            &lex.cues.acronyms,
            &lex.cues.not_a_patient_number,
            &lex.cues.patient_words,
            &lex.cues.other_code_words,
            &lex.cues.not_a_person,
            &lex.cues.care_actions,
            &lex.cues.person_verbs,
            &lex.cues.care_words,
            &lex.cues.everyday_words,
            &lex.cues.death_words,
            &lex.cues.progress_words,
            &lex.cues.fiction_words,
            &lex.cues.fame_words,
            &lex.cues.pets,
        ];
        assert_eq!(sections, loaded.len());
        assert!(loaded.iter().all(|s| s.iter().next().is_some()));
        let doc = Doc::new("moved to Glasgow");
        assert_eq!(lex.places.longest_at(&doc, 2).map(|(_, n)| *n), Some(Nation::Scotland));
    }
}
