//! Who may sign up: the registration mode and the optional email-domain allow-list.

use crate::account::string_enum;

string_enum!(
    /// `open`: anyone may join; `approval`: an admin approves each sign-up; `closed`: nobody.
    RegistrationMode { Open => "open", Approval => "approval", Closed => "closed" }
);

/// Whether an email's domain is on the allow-list. An empty list allows every domain.
/// A listed domain also allows its subdomains (`nhs.net` allows `wales.nhs.net`).
pub fn email_domain_allowed(email: &str, allowed: &[String]) -> bool {
    if allowed.is_empty() {
        return true;
    }
    let Some((_, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let domain = domain.to_ascii_lowercase();
    allowed.iter().any(|a| {
        let a = a.trim().trim_start_matches('@').to_ascii_lowercase();
        domain == a || domain.ends_with(&format!(".{a}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_matches_domain_and_subdomains_only() {
        let list = vec!["nhs.net".to_string()];
        assert!(email_domain_allowed("a@nhs.net", &list));
        assert!(email_domain_allowed("a@Wales.NHS.net", &list));
        assert!(!email_domain_allowed("a@notnhs.net", &list));
        assert!(!email_domain_allowed("a@nhs.net.evil.com", &list));
        assert!(email_domain_allowed("a@anything.org", &[]));
    }
}
