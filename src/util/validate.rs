//! Validation of what visitors type and attach, with messages they can act on. Nothing here
//! rejects characters: any Unicode name is a name.

/// Why a pre-chat field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldError {
    /// A required field is empty.
    Required,
    /// Not an email address.
    Email,
    /// Longer than allowed.
    TooLong(usize),
}

/// Checks a name: required or not, at most 256 characters, anything printable.
pub fn name(value: &str, required: bool) -> Result<(), FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return if required { Err(FieldError::Required) } else { Ok(()) };
    }
    if value.chars().count() > 256 {
        return Err(FieldError::TooLong(256));
    }
    Ok(())
}

/// Checks an email address (a plausibility check; the mail server is the real judge).
pub fn email(value: &str, required: bool) -> Result<(), FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return if required { Err(FieldError::Required) } else { Ok(()) };
    }
    let valid = value.rsplit_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !value.chars().any(char::is_whitespace)
        && value.chars().count() <= 254;
    if valid {
        Ok(())
    } else {
        Err(FieldError::Email)
    }
}

/// Checks a free-text field against a byte limit.
pub fn text(value: &str, required: bool, max_bytes: usize) -> Result<(), FieldError> {
    if value.trim().is_empty() {
        return if required { Err(FieldError::Required) } else { Ok(()) };
    }
    if value.len() > max_bytes {
        return Err(FieldError::TooLong(max_bytes));
    }
    Ok(())
}

/// What attachments are allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentPolicy {
    /// Largest file, in bytes.
    pub max_bytes: u64,
    /// Most files per message.
    pub max_files: usize,
    /// Allowed MIME types; `image/*` style wildcards allowed.
    pub types: Vec<String>,
}

impl Default for AttachmentPolicy {
    fn default() -> Self {
        AttachmentPolicy {
            // Within Twilio's 150 MB: large enough for photos and documents, small enough to
            // upload on a phone.
            max_bytes: 20 * 1024 * 1024,
            max_files: 10,
            types: ["image/*", "application/pdf", "text/plain", "text/csv", "application/zip"]
                .map(str::to_owned)
                .to_vec(),
        }
    }
}

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// Over the size limit.
    TooBig {
        /// The file.
        name: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// Not an allowed type.
    Type {
        /// The file.
        name: String,
    },
    /// Over the count limit.
    TooMany {
        /// The limit.
        limit: usize,
    },
    /// Empty.
    Empty {
        /// The file.
        name: String,
    },
}

impl AttachmentPolicy {
    /// Checks one more file, given how many are already attached.
    pub fn check(
        &self,
        name: &str,
        content_type: &str,
        size: u64,
        already: usize,
    ) -> Result<(), FileError> {
        if already >= self.max_files {
            return Err(FileError::TooMany { limit: self.max_files });
        }
        if size == 0 {
            return Err(FileError::Empty { name: name.to_owned() });
        }
        if size > self.max_bytes {
            return Err(FileError::TooBig { name: name.to_owned(), limit: self.max_bytes });
        }
        let allowed = self.types.iter().any(|t| match t.strip_suffix("/*") {
            Some(family) => content_type.split('/').next() == Some(family),
            None => t == content_type,
        });
        if !allowed {
            return Err(FileError::Type { name: name.to_owned() });
        }
        Ok(())
    }
}

/// `1.5 MB`-style sizes.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_any_unicode_name_is_a_name() {
        for ok in
            ["Zoë", "Jean-Luc Picard", "O'Brien", "محمد", "李小龙", "Ólafur Arnalds", "Nguyễn Thị"]
        {
            assert_eq!(name(ok, true), Ok(()), "{ok}");
        }
        assert_eq!(name("   ", true), Err(FieldError::Required));
        assert_eq!(name("", false), Ok(()));
        assert_eq!(name(&"x".repeat(257), true), Err(FieldError::TooLong(256)));
    }

    #[test]
    fn test_emails() {
        assert_eq!(email("zoë@exämple.org", true), Ok(()));
        for bad in ["a", "a@b", "a b@c.de", "@c.de"] {
            assert_eq!(email(bad, true), Err(FieldError::Email), "{bad}");
        }
        assert_eq!(email("", true), Err(FieldError::Required));
    }

    #[test]
    fn test_attachments() {
        let policy = AttachmentPolicy::default();
        assert_eq!(policy.check("a.png", "image/png", 10, 0), Ok(()));
        assert_eq!(policy.check("a.pdf", "application/pdf", 10, 0), Ok(()));
        assert!(matches!(
            policy.check("a.exe", "application/x-msdownload", 10, 0),
            Err(FileError::Type { .. })
        ));
        assert!(matches!(
            policy.check("a.png", "image/png", 21 * 1024 * 1024, 0),
            Err(FileError::TooBig { .. })
        ));
        assert!(matches!(
            policy.check("a.png", "image/png", 10, 10),
            Err(FileError::TooMany { limit: 10 })
        ));
        assert!(matches!(policy.check("a.png", "image/png", 0, 0), Err(FileError::Empty { .. })));
    }

    #[test]
    fn test_sizes() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(20 * 1024 * 1024), "20 MB");
    }
}
