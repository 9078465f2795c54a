//! Helpers for the detectors' unit tests.

use crate::{Category, Context, Policy, check};

/// The categories found in `text` under the default policy, each once.
pub(crate) fn found(text: &str) -> Vec<Category> {
    check(text, &Policy::default(), &Context::default()).categories()
}

/// The exact text of each finding of `category`.
pub(crate) fn spans(text: &str, category: Category) -> Vec<&str> {
    spans_with(text, category, &Policy::default())
}

pub(crate) fn spans_with<'a>(text: &'a str, category: Category, policy: &Policy) -> Vec<&'a str> {
    check(text, policy, &Context::default())
        .findings
        .iter()
        .filter(|f| f.category == category)
        .map(|f| &text[f.start..f.end])
        .collect()
}
