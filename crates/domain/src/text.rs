//! Reading a post's text: mentions, hashtags and links, and the character count as
//! Mastodon counts it (a link is 23 characters; `@user@domain` counts as `@user`).

/// A piece of a post's text, in order, for rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    Text(&'a str),
    /// `@user` or `@user@domain`, without the `@`.
    Mention {
        username: &'a str,
        domain: Option<&'a str>,
        raw: &'a str,
    },
    /// `#tag`, without the `#`.
    Hashtag(&'a str),
    Link(&'a str),
}

pub const URL_LENGTH: usize = 23;

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits text into plain runs, mentions, hashtags and links.
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut plain_start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < text.len() {
        let prev = text[..i].chars().next_back();
        let at_boundary = prev.is_none_or(|p| !is_word(p) && p != '@' && p != '/' && p != '#');
        let rest = &text[i..];
        let found = if at_boundary && (rest.starts_with("https://") || rest.starts_with("http://")) {
            link_len(rest).map(|n| (n, Token::Link(&rest[..n])))
        } else if at_boundary && bytes[i] == b'@' {
            mention_len(rest).map(|(n, user_end)| {
                let raw = &rest[..n];
                let username = &rest[1..user_end];
                let domain = (user_end < n).then(|| &rest[user_end + 1..n]);
                (n, Token::Mention { username, domain, raw })
            })
        } else if at_boundary && bytes[i] == b'#' {
            let n = 1 + rest[1..].chars().take_while(|c| is_word(*c)).map(char::len_utf8).sum::<usize>();
            // A tag needs a letter: `#1` is a number, not a tag.
            (n > 1 && rest[1..n].chars().any(|c| c.is_alphabetic())).then(|| (n, Token::Hashtag(&rest[1..n])))
        } else {
            None
        };
        match found {
            Some((n, tok)) => {
                if plain_start < i {
                    out.push(Token::Text(&text[plain_start..i]));
                }
                out.push(tok);
                i += n;
                plain_start = i;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if plain_start < text.len() {
        out.push(Token::Text(&text[plain_start..]));
    }
    out
}

fn link_len(s: &str) -> Option<usize> {
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() || c == '<' || c == '>' || c == '"' {
            break;
        }
        end = i + c.len_utf8();
    }
    // Trailing punctuation ends a sentence, not the link.
    let mut link = &s[..end];
    while let Some(last) = link.chars().next_back() {
        if matches!(last, '.' | ',' | ':' | ';' | '!' | '?' | ')' | '\'') {
            link = &link[..link.len() - last.len_utf8()];
        } else {
            break;
        }
    }
    let host_start = link.find("://")? + 3;
    (link.len() > host_start).then_some(link.len())
}

/// `@user` or `@user@domain.tld`: returns (length, end of the username).
fn mention_len(s: &str) -> Option<(usize, usize)> {
    let user: usize = s[1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').map(char::len_utf8).sum();
    if user == 0 {
        return None;
    }
    let user_end = 1 + user;
    let rest = &s[user_end..];
    if let Some(after) = rest.strip_prefix('@') {
        let dom: usize = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
            .map(char::len_utf8)
            .sum();
        let domain = after[..dom].trim_end_matches(['.', '-', ':']);
        if domain.contains('.') {
            return Some((user_end + 1 + domain.len(), user_end));
        }
    }
    Some((user_end, user_end))
}

/// Characters toward the limit, as Mastodon counts them.
pub fn count_chars(text: &str) -> usize {
    tokenize(text)
        .iter()
        .map(|t| match t {
            Token::Text(s) => s.chars().count(),
            Token::Link(_) => URL_LENGTH,
            Token::Mention { username, .. } => 1 + username.chars().count(),
            Token::Hashtag(tag) => 1 + tag.chars().count(),
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_mentions_tags_and_links() {
        let t = tokenize("Hi @jo and @sam@other.example, see https://nhs.uk/flu. #FluJab #1 a@b.c");
        assert_eq!(
            t,
            vec![
                Token::Text("Hi "),
                Token::Mention { username: "jo", domain: None, raw: "@jo" },
                Token::Text(" and "),
                Token::Mention { username: "sam", domain: Some("other.example"), raw: "@sam@other.example" },
                Token::Text(", see "),
                Token::Link("https://nhs.uk/flu"),
                Token::Text(". "),
                Token::Hashtag("FluJab"),
                Token::Text(" #1 a@b.c"),
            ]
        );
    }

    #[test]
    fn counts_like_mastodon() {
        assert_eq!(count_chars("héllo"), 5);
        assert_eq!(count_chars("https://example.com/a/very/long/path/that/goes/on/and/on"), 23);
        assert_eq!(count_chars("@sam@other.example hi"), 7);
    }

    #[test]
    fn never_splits_inside_a_character() {
        for s in ["@", "#", "é@ü", "#ü", "http://", "https://é", "@@@", "## #"] {
            let joined: usize = tokenize(s)
                .iter()
                .map(|t| match t {
                    Token::Text(x) | Token::Link(x) | Token::Hashtag(x) => x.len(),
                    Token::Mention { raw, .. } => raw.len(),
                })
                .sum();
            assert!(joined <= s.len(), "{s}");
        }
    }
}
