//! Field rules shared by every front door. Limits follow Mastodon's, so apps that check
//! lengths before sending agree with the server.

pub const USERNAME_MAX: usize = 30;
pub const DISPLAY_NAME_MAX: usize = 30;
pub const NOTE_MAX: usize = 500;
pub const FIELDS_MAX: usize = 4;
pub const FIELD_NAME_MAX: usize = 255;
pub const FIELD_VALUE_MAX: usize = 255;
pub const PROFILE_TEXT_MAX: usize = 100;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 72;
pub const EMAIL_MAX: usize = 254;

/// A rule a value broke, with the field it belongs to, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    /// Machine-readable code in Mastodon's style (`ERR_TAKEN`, `ERR_TOO_LONG`, …).
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Invalid {
        Invalid { field, code, message: message.into() }
    }
}

pub fn username(name: &str) -> Result<(), Invalid> {
    if name.is_empty() {
        return Err(Invalid::new("username", "ERR_BLANK", "Username can't be blank"));
    }
    if name.chars().count() > USERNAME_MAX {
        return Err(Invalid::new(
            "username",
            "ERR_TOO_LONG",
            format!("Username is too long (maximum is {USERNAME_MAX} characters)"),
        ));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Invalid::new(
            "username",
            "ERR_INVALID",
            "Username may only contain letters, numbers and underscores",
        ));
    }
    Ok(())
}

pub fn email(address: &str) -> Result<(), Invalid> {
    let bad = || Invalid::new("email", "ERR_INVALID", "Email is not a valid address");
    if address.is_empty() {
        return Err(Invalid::new("email", "ERR_BLANK", "Email can't be blank"));
    }
    if address.len() > EMAIL_MAX || address.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    let (local, domain) = address.rsplit_once('@').ok_or_else(bad)?;
    if local.is_empty() || domain.len() < 3 || !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.')
    {
        return Err(bad());
    }
    Ok(())
}

pub fn password(pw: &str) -> Result<(), Invalid> {
    let n = pw.chars().count();
    if n < PASSWORD_MIN {
        return Err(Invalid::new(
            "password",
            "ERR_TOO_SHORT",
            format!("Password is too short (minimum is {PASSWORD_MIN} characters)"),
        ));
    }
    if pw.len() > PASSWORD_MAX {
        return Err(Invalid::new(
            "password",
            "ERR_TOO_LONG",
            format!("Password is too long (maximum is {PASSWORD_MAX} bytes)"),
        ));
    }
    Ok(())
}

/// A free-text field with a character limit.
pub fn max_chars(field: &'static str, label: &str, value: &str, max: usize) -> Result<(), Invalid> {
    if value.chars().count() > max {
        return Err(Invalid::new(field, "ERR_TOO_LONG", format!("{label} is too long (maximum is {max} characters)")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(username("nurse_jo1").is_ok());
        assert_eq!(username("").unwrap_err().code, "ERR_BLANK");
        assert_eq!(username("jo smith").unwrap_err().code, "ERR_INVALID");
        assert_eq!(username("ö").unwrap_err().code, "ERR_INVALID");
        assert_eq!(username(&"a".repeat(31)).unwrap_err().code, "ERR_TOO_LONG");
    }

    #[test]
    fn emails_and_passwords() {
        assert!(email("jo@nhs.net").is_ok());
        for bad in ["jo", "jo@", "@nhs.net", "jo@nhs", "jo @nhs.net", "jo@.net"] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert!(password("short").is_err());
        assert!(password("long enough").is_ok());
        assert!(password(&"x".repeat(73)).is_err());
    }
}
