//! Plain text to the small HTML Mastodon clients render.

pub use canteen_domain::text::escape_html as escape;

/// A bio as Mastodon renders it: paragraphs split on blank lines, line breaks kept.
pub fn paragraphs(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br />")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_markup_survives() {
        assert_eq!(
            paragraphs("<script>alert(1)</script>\nline\n\nnext \"q\""),
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;<br />line</p><p>next &quot;q&quot;</p>"
        );
        assert_eq!(paragraphs(""), "");
    }
}
