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
    // The same rule as the backend's and the custom email fields'.
    if convo_wire::prechat::plausible_email(value) {
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

/// The longest page address a new session carries (the backend refuses longer ones).
pub const PAGE_URL_CHARS: usize = 2048;
/// The longest page title a new session carries (the backend refuses longer ones).
pub const PAGE_TITLE_CHARS: usize = 256;

/// What a new session tells the support team about the page the visitor is on, `(address,
/// title)`, in the shape the backend accepts: an `http(s)` address without its fragment (a
/// `#access_token=…` belongs to the page, not to the support team), and the title without
/// control characters; both cut to the backend's limits rather than refused, so a long address
/// never stops a visitor from chatting.
pub fn page(href: &str, title: &str) -> (Option<String>, Option<String>) {
    let address = href.split('#').next().unwrap_or_default().trim();
    let web = ["http://", "https://"]
        .iter()
        .any(|scheme| address.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme)));
    let url = (web && !address.chars().any(|c| c.is_whitespace() || c.is_control()))
        .then(|| address.chars().take(PAGE_URL_CHARS).collect::<String>());
    let title: String = title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .chars()
        .take(PAGE_TITLE_CHARS)
        .collect();
    let title = title.trim_end().to_owned();
    (url, (!title.is_empty()).then_some(title))
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

/// `1.5 MB`-style sizes: one decimal below 10 units, whole units from 10. Integer arithmetic
/// (rounding half up), so no float formatting ships in the wasm (issue 15).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut unit = 0;
    let mut divisor = 1u64;
    while bytes / divisor >= 1024 && unit < UNITS.len() - 1 {
        divisor *= 1024;
        unit += 1;
    }
    let name = UNITS[unit];
    if unit == 0 {
        return format!("{bytes} B");
    }
    let (bytes, divisor) = (u128::from(bytes), u128::from(divisor));
    let tenths = (bytes * 10 + divisor / 2) / divisor;
    if tenths < 100 {
        format!("{}.{} {name}", tenths / 10, tenths % 10)
    } else {
        format!("{} {name}", (bytes + divisor / 2) / divisor)
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
    fn test_the_page_a_session_names_is_what_the_backend_accepts() {
        let page = |href: &str, title: &str| super::page(href, title);
        assert_eq!(
            page("https://shop.example/tents?id=7#reviews", "Ridgeline 2 tent"),
            (Some("https://shop.example/tents?id=7".into()), Some("Ridgeline 2 tent".into()))
        );
        assert_eq!(
            page("http://127.0.0.1:8080/#access_token=secret", ""),
            (Some("http://127.0.0.1:8080/".into()), None),
            "no fragment, and no empty title"
        );
        for not_web in ["file:///home/ana/shop.html", "about:blank", "data:text/html,hi", ""] {
            assert_eq!(page(not_web, "t").0, None, "{not_web}");
        }
        let (url, title) =
            page(&format!("HTTPS://shop.example/{}", "a".repeat(3000)), &"é\n".repeat(300));
        let url = url.unwrap();
        assert_eq!(url.chars().count(), PAGE_URL_CHARS);
        assert!(url.starts_with("HTTPS://shop.example/aaa"));
        let title = title.unwrap();
        assert!(title.chars().count() <= PAGE_TITLE_CHARS, "{}", title.chars().count());
        assert!(!title.chars().any(char::is_control) && !title.ends_with(' '), "{title:?}");
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
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1024), "1.0 KB");
        // Rounded half up, from the bytes (not from the rounded tenths).
        assert_eq!(human_size(1024 + 51), "1.0 KB");
        assert_eq!(human_size(1024 + 52), "1.1 KB");
        assert_eq!(human_size(10_199), "10 KB"); // 9.96 KB
        assert_eq!(human_size(10_700), "10 KB"); // 10.449 KB
        assert_eq!(human_size(10_752), "11 KB"); // 10.5 KB
        assert_eq!(human_size(5 * 1024 * 1024 * 1024 * 1024), "5120 GB");
    }
}
