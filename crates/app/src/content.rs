//! Post text → the HTML Mastodon clients render. The text is escaped first and only our
//! own markup is added (paragraphs, line breaks, links, mentions, hashtags), so no tag,
//! script or attribute from the author can survive.

use canteen_domain::account::Account;
use canteen_domain::text::{Token, escape_html as escape, tokenize};

/// Renders `text`; `mentioned` are the accounts its mentions resolved to.
pub fn render(text: &str, mentioned: &[Account], public_url: &str) -> String {
    let mut html = String::new();
    for para in text.replace("\r\n", "\n").split("\n\n").filter(|p| !p.trim().is_empty()) {
        html.push_str("<p>");
        for tok in tokenize(para.trim_matches('\n')) {
            match tok {
                Token::Text(t) => html.push_str(&escape(t).replace('\n', "<br />")),
                Token::Link(url) => {
                    let (scheme, rest) = url.split_once("://").map_or(("", url), |(s, r)| (s, r));
                    html.push_str(&format!(
                        "<a href=\"{href}\" target=\"_blank\" rel=\"nofollow noopener\" translate=\"no\">\
                         <span class=\"invisible\">{scheme}://</span><span class=\"\">{rest}</span>\
                         <span class=\"invisible\"></span></a>",
                        href = escape(url),
                        scheme = escape(scheme),
                        rest = escape(rest),
                    ));
                }
                Token::Mention { username, domain, raw } => {
                    let found = mentioned.iter().find(|a| {
                        a.username.eq_ignore_ascii_case(username)
                            && match (&a.domain, domain) {
                                (None, None) => true,
                                (Some(d), Some(want)) => d.eq_ignore_ascii_case(want),
                                (None, Some(want)) => public_url.contains(want),
                                _ => false,
                            }
                    });
                    match found {
                        Some(a) => html.push_str(&format!(
                            "<span class=\"h-card\" translate=\"no\"><a href=\"{}\" class=\"u-url mention\">@<span>{}</span></a></span>",
                            escape(&a.url),
                            escape(&a.username)
                        )),
                        None => html.push_str(&escape(raw)),
                    }
                }
                Token::Hashtag(tag) => html.push_str(&format!(
                    "<a href=\"{}/tags/{}\" class=\"mention hashtag\" rel=\"tag\">#<span>{}</span></a>",
                    escape(public_url),
                    escape(&tag.to_lowercase()),
                    escape(tag)
                )),
            }
        }
        html.push_str("</p>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn author_markup_never_survives() {
        let html = render("<script>alert(1)</script> <img src=x onerror=alert(1)> \"quoted\"", &[], "https://c.test");
        assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("onerror=alert(1)>"));
        assert_eq!(
            html,
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot;</p>"
        );
    }

    #[test]
    fn links_tags_and_paragraphs() {
        let html = render("See https://nhs.uk/flu?a=1&b=2\n#FluJab\n\nThanks", &[], "https://c.test");
        assert!(html.contains("href=\"https://nhs.uk/flu?a=1&amp;b=2\""));
        assert!(html.contains(
            "<a href=\"https://c.test/tags/flujab\" class=\"mention hashtag\" rel=\"tag\">#<span>FluJab</span></a>"
        ));
        assert!(html.contains("<br />") && html.ends_with("<p>Thanks</p>"));
    }

    #[test]
    fn a_link_cannot_break_out_of_its_attribute() {
        let html = render("https://x.test/\"onmouseover=alert(1)", &[], "https://c.test");
        assert!(!html.contains("\"onmouseover"), "{html}");
    }
}
