//! Custom pre-chat fields: the host's declaration and the checks of a visitor's answers.
//!
//! The same JSON declares them to the widget (`prechatFields`, `data-prechat-fields`) and to
//! the backend (`CONVO_PRECHAT_FIELDS`), and both judge answers with the functions here, so
//! the form the visitor sees and the backend that must not trust it cannot disagree:
//!
//! ```json
//! [{ "id": "plan", "label": "Plan", "type": "select", "required": true,
//!    "options": ["Free", { "value": "pro", "label": "Pro" }] },
//!  { "id": "terms", "label": "I accept the terms", "type": "consent", "required": true,
//!    "link": { "href": "https://shop.example/terms", "text": "Read the terms" } }]
//! ```
//!
//! Answers are JSON too: a string for `text`, `email`, `phone` and `select` (the option's
//! value), `true`/`false` for `consent`.

use std::fmt;

use serde_json::Value;

/// The most custom fields a form (or a session request) has.
pub const MAX_FIELDS: usize = 20;
/// The longest field id; ids are `[a-z0-9_-]`.
pub const MAX_ID_CHARS: usize = 40;
/// The longest answer, in characters.
pub const MAX_VALUE_CHARS: usize = 500;
/// The longest label, option label, link text or placeholder, in characters.
pub const MAX_LABEL_CHARS: usize = 200;
/// The most options a select has.
pub const MAX_OPTIONS: usize = 50;
/// The longest consent link address.
pub const MAX_HREF_CHARS: usize = 2048;

/// What a custom field asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// One line of free text.
    Text,
    /// An email address.
    Email,
    /// A telephone number.
    Phone,
    /// One of the declared options.
    Select,
    /// A checkbox the visitor ticks to agree (with an optional link to what they agree to).
    Consent,
}

impl Kind {
    /// The declaration's `type`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Select => "select",
            Kind::Consent => "consent",
        }
    }
}

/// An option of a select field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// What is stored.
    pub value: String,
    /// What the visitor reads.
    pub label: String,
}

/// The page a consent field links to (opened in a new tab).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// An `http(s)` address, or a path on the page's site.
    pub href: String,
    /// The link's text.
    pub text: String,
}

/// A custom field of the pre-chat form. Every text in it is the host's plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomField {
    /// `[a-z0-9_-]{1,40}`, unique in the form: the answer's key.
    pub id: String,
    /// The label (for a consent field, what the visitor agrees to).
    pub label: String,
    /// What it asks for.
    pub kind: Kind,
    /// Whether it must be answered (a required consent must be ticked).
    pub required: bool,
    /// A select's options (empty for the other kinds).
    pub options: Vec<Choice>,
    /// A consent field's link.
    pub link: Option<Link>,
    /// A hint shown in an empty text, email or phone input.
    pub placeholder: Option<String>,
}

/// A field of the declaration that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationError {
    /// The field's id when it has a usable one, else its position (`#3`, from 1).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for DeclarationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pre-chat field {}: {}", self.field, self.message)
    }
}

/// Why an answer was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A required field is empty (a required consent not ticked).
    Required,
    /// Not an email address.
    Email,
    /// Not a telephone number.
    Phone,
    /// Not one of the select's options.
    NotAnOption,
    /// Longer than [`MAX_VALUE_CHARS`].
    TooLong(usize),
    /// Not a string (or, for consent, not `true`/`false`).
    WrongType,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Required => f.write_str("is required"),
            Problem::Email => f.write_str("is not an email address"),
            Problem::Phone => f.write_str("is not a telephone number"),
            Problem::NotAnOption => f.write_str("is not one of the options"),
            Problem::TooLong(n) => write!(f, "is over {n} characters"),
            Problem::WrongType => f.write_str("has the wrong type"),
        }
    }
}

/// Whether `id` is `[a-z0-9_-]{1,40}`.
pub fn valid_id(id: &str) -> bool {
    (1..=MAX_ID_CHARS).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Reads a declaration: the fields that can be used, in order, and what is wrong with the
/// others (each left out, so one typo never breaks the whole form). Not an array at all is one
/// error and no fields.
pub fn parse_declaration(value: &Value) -> (Vec<CustomField>, Vec<DeclarationError>) {
    let Some(items) = value.as_array() else {
        let error = DeclarationError {
            field: "list".to_owned(),
            message: "the declaration must be a JSON array of fields".to_owned(),
        };
        return (Vec::new(), vec![error]);
    };
    let mut fields: Vec<CustomField> = Vec::new();
    let mut errors = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let position = format!("#{}", index + 1);
        let named = item
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| valid_id(id))
            .map_or(position, |id| format!("\"{id}\""));
        let refuse = |message: String| DeclarationError { field: named.clone(), message };
        if fields.len() == MAX_FIELDS {
            errors.push(refuse(format!("a form has at most {MAX_FIELDS} custom fields")));
            continue;
        }
        match field(item) {
            Ok(field) if fields.iter().any(|f| f.id == field.id) => {
                errors.push(refuse("another field has the same id".to_owned()));
            }
            Ok(field) => fields.push(field),
            Err(message) => errors.push(refuse(message)),
        }
    }
    (fields, errors)
}

/// Reads a declaration as text (`data-prechat-fields`, `CONVO_PRECHAT_FIELDS`).
pub fn parse_declaration_text(text: &str) -> (Vec<CustomField>, Vec<DeclarationError>) {
    // The crate's JSON reader, as every other parse in the widget and the client.
    match crate::json::parse(text.as_bytes()) {
        Ok(value) => parse_declaration(&value),
        Err(error) => (
            Vec::new(),
            vec![DeclarationError {
                field: "list".to_owned(),
                message: format!("the declaration is not JSON ({error})"),
            }],
        ),
    }
}

const KEYS: [&str; 7] = ["id", "label", "type", "required", "options", "link", "placeholder"];

fn field(item: &Value) -> Result<CustomField, String> {
    let Some(object) = item.as_object() else {
        return Err("a field must be an object like { id, label, type }".to_owned());
    };
    if let Some(key) = object.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!("unknown key \"{key}\"; known: {}", KEYS.join(", ")));
    }
    let id = match object.get("id") {
        Some(Value::String(id)) if valid_id(id) => id.clone(),
        Some(Value::String(id)) if id.is_empty() => return Err("id is empty".to_owned()),
        Some(Value::String(id)) => {
            return Err(format!("id \"{id}\" must be 1 to {MAX_ID_CHARS} of a-z, 0-9, _ and -"))
        }
        _ => return Err("id must be a string".to_owned()),
    };
    let label = plain_text(object.get("label"), "label")?
        .ok_or_else(|| "label must be a non-empty string".to_owned())?;
    let kind = match object.get("type").and_then(Value::as_str) {
        Some("text") => Kind::Text,
        Some("email") => Kind::Email,
        Some("phone") => Kind::Phone,
        Some("select") => Kind::Select,
        Some("consent") => Kind::Consent,
        Some(other) => {
            return Err(format!(
                "unknown type \"{other}\"; known: text, email, phone, select, consent"
            ))
        }
        None => return Err("type must be a string".to_owned()),
    };
    let required = match object.get("required") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(required)) => *required,
        Some(_) => return Err("required must be true or false".to_owned()),
    };
    let options = match (kind, object.get("options")) {
        (Kind::Select, Some(Value::Array(options))) => choices(options)?,
        (Kind::Select, _) => {
            return Err("a select needs options: an array of strings or { value, label }".to_owned())
        }
        (_, None) => Vec::new(),
        (_, Some(_)) => return Err("only a select has options".to_owned()),
    };
    let link = match (kind, object.get("link")) {
        (_, None | Some(Value::Null)) => None,
        (Kind::Consent, Some(link)) => Some(consent_link(link)?),
        (_, Some(_)) => return Err("only a consent field has a link".to_owned()),
    };
    let placeholder = match kind {
        Kind::Text | Kind::Email | Kind::Phone => {
            plain_text(object.get("placeholder"), "placeholder")?
        }
        Kind::Select | Kind::Consent if object.get("placeholder").is_some() => {
            return Err(format!("a {} field has no placeholder", kind.name()))
        }
        Kind::Select | Kind::Consent => None,
    };
    Ok(CustomField { id, label, kind, required, options, link, placeholder })
}

/// An optional plain-text property (a label, a placeholder): trimmed, at most
/// [`MAX_LABEL_CHARS`], no control characters; empty is none. `name` names it in the error.
pub fn plain_text(value: Option<&Value>, name: &str) -> Result<Option<String>, String> {
    let text = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text.trim(),
        Some(_) => return Err(format!("{name} must be a string")),
    };
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_LABEL_CHARS {
        return Err(format!("{name} is over {MAX_LABEL_CHARS} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err(format!("{name} must not contain control characters"));
    }
    Ok(Some(text.to_owned()))
}

fn choices(options: &[Value]) -> Result<Vec<Choice>, String> {
    if options.is_empty() {
        return Err("a select needs at least one option".to_owned());
    }
    if options.len() > MAX_OPTIONS {
        return Err(format!("a select has at most {MAX_OPTIONS} options"));
    }
    let mut choices: Vec<Choice> = Vec::with_capacity(options.len());
    for option in options {
        let choice = match option {
            Value::String(_) => {
                let text = plain_text(Some(option), "an option")?
                    .ok_or_else(|| "an option is empty".to_owned())?;
                Choice { value: text.clone(), label: text }
            }
            Value::Object(o) => {
                let value = plain_text(o.get("value"), "an option's value")?
                    .ok_or_else(|| "an option's value must be a non-empty string".to_owned())?;
                let label = plain_text(o.get("label"), "an option's label")?
                    .unwrap_or_else(|| value.clone());
                Choice { value, label }
            }
            _ => return Err("an option must be a string or { value, label }".to_owned()),
        };
        if choices.iter().any(|c| c.value == choice.value) {
            return Err(format!("option \"{}\" is listed twice", choice.value));
        }
        choices.push(choice);
    }
    Ok(choices)
}

fn consent_link(link: &Value) -> Result<Link, String> {
    let Some(object) = link.as_object() else {
        return Err("link must be { href, text }".to_owned());
    };
    let href = match object.get("href") {
        Some(Value::String(href)) => href.trim(),
        _ => return Err("link.href must be a string".to_owned()),
    };
    if !safe_href(href) {
        return Err(format!(
            "link.href \"{href}\" must be an http(s) address or a path on this site"
        ));
    }
    let text = plain_text(object.get("text"), "link.text")?
        .ok_or_else(|| "link.text must be a non-empty string".to_owned())?;
    Ok(Link { href: href.to_owned(), text })
}

/// Whether a link may be followed: `http(s)://…`, or a path on the page's site (`/privacy`);
/// never `javascript:`, `data:` or a protocol-relative `//elsewhere`.
pub fn safe_href(href: &str) -> bool {
    // Browsers read `\` as `/` and drop tabs and newlines, so `/\evil.example` would leave the
    // site: only a plain address passes.
    if href.is_empty()
        || href.chars().count() > MAX_HREF_CHARS
        || href.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    {
        return false;
    }
    let web = ["http://", "https://"]
        .iter()
        .any(|scheme| href.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme)));
    (web && href.len() > href.find("//").unwrap_or(0) + 2)
        || (href.starts_with('/') && !href.starts_with("//"))
}

/// An email address, plausibly (the mail server is the real judge).
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else { return false };
    email.chars().count() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A telephone number as people type them: digits with spaces, dots, dashes and parentheses,
/// `+` only in front; 6 to 15 digits (E.164's most).
pub fn plausible_phone(phone: &str) -> bool {
    let digits = phone.bytes().filter(u8::is_ascii_digit).count();
    let body = phone.strip_prefix('+').unwrap_or(phone);
    (6..=15).contains(&digits)
        && body.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
}

/// Judges the answer to `field` (`None`: not given). The answer to keep: a trimmed string,
/// `true`/`false` for a consent (a consent not given is `false`), `None` for an optional
/// field left empty.
pub fn check(field: &CustomField, answer: Option<&Value>) -> Result<Option<Value>, Problem> {
    if field.kind == Kind::Consent {
        let given = match answer {
            None | Some(Value::Null) => false,
            Some(Value::Bool(given)) => *given,
            Some(_) => return Err(Problem::WrongType),
        };
        return if field.required && !given {
            Err(Problem::Required)
        } else {
            Ok(Some(Value::Bool(given)))
        };
    }
    let text = match answer {
        None | Some(Value::Null) => "",
        Some(Value::String(text)) => text.trim(),
        Some(_) => return Err(Problem::WrongType),
    };
    if text.is_empty() {
        return if field.required { Err(Problem::Required) } else { Ok(None) };
    }
    if text.chars().count() > MAX_VALUE_CHARS {
        return Err(Problem::TooLong(MAX_VALUE_CHARS));
    }
    match field.kind {
        Kind::Email if !plausible_email(text) => Err(Problem::Email),
        Kind::Phone if !plausible_phone(text) => Err(Problem::Phone),
        Kind::Select if !field.options.iter().any(|c| c.value == text) => Err(Problem::NotAnOption),
        _ => Ok(Some(Value::String(text.to_owned()))),
    }
}

/// A field answered without a declaration to judge it by (the backend with no
/// `CONVO_PRECHAT_FIELDS`): its answers may be strings of at most [`MAX_VALUE_CHARS`] or
/// `true`/`false`. The answer to keep (`None`: empty).
pub fn check_undeclared(answer: &Value) -> Result<Option<Value>, Problem> {
    match answer {
        Value::Bool(_) => Ok(Some(answer.clone())),
        Value::String(text) if text.trim().is_empty() => Ok(None),
        Value::String(text) if text.trim().chars().count() > MAX_VALUE_CHARS => {
            Err(Problem::TooLong(MAX_VALUE_CHARS))
        }
        Value::String(text) => Ok(Some(Value::String(text.trim().to_owned()))),
        Value::Null => Ok(None),
        _ => Err(Problem::WrongType),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn declared(value: Value) -> CustomField {
        let (mut fields, errors) = parse_declaration(&json!([value]));
        assert_eq!(errors, [], "{value}");
        fields.remove(0)
    }

    fn refusal(value: Value) -> String {
        let (fields, errors) = parse_declaration(&json!([value]));
        assert_eq!(fields, [], "{value}");
        assert_eq!(errors.len(), 1, "{value}");
        errors[0].to_string()
    }

    #[test]
    fn test_emails() {
        for ok in ["a@b.co", "zoë@exämple.org", "first.last+tag@sub.domain.io"] {
            assert!(plausible_email(ok), "{ok}");
        }
        let long = format!("{}@example.org", "a".repeat(243));
        for bad in
            ["", "a", "a@b", "@b.co", "a@.co", "a@b.", "a b@c.co", "a@b.co\n", "a\u{7}@b.co", &long]
        {
            assert!(!plausible_email(bad), "{bad:?}");
        }
    }

    #[test]
    fn test_every_type_is_declared_with_its_options_and_link() {
        let (fields, errors) = parse_declaration(&json!([
            { "id": "company", "label": " Company ", "type": "text", "placeholder": "Acme" },
            { "id": "work-email", "label": "Work email", "type": "email", "required": true },
            { "id": "phone_1", "label": "Phone", "type": "phone" },
            { "id": "plan", "label": "Plan", "type": "select", "required": true,
              "options": ["Free", { "value": "pro", "label": "Pro" }, { "value": "team" }] },
            { "id": "terms", "label": "I accept the terms", "type": "consent", "required": true,
              "link": { "href": "https://shop.example/terms", "text": "Read them" } },
        ]));
        assert_eq!(errors, []);
        let kinds: Vec<Kind> = fields.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, [Kind::Text, Kind::Email, Kind::Phone, Kind::Select, Kind::Consent]);
        assert_eq!(fields[0].label, "Company");
        assert_eq!(fields[0].placeholder.as_deref(), Some("Acme"));
        assert!(!fields[0].required && fields[1].required);
        let options: Vec<(&str, &str)> =
            fields[3].options.iter().map(|c| (c.value.as_str(), c.label.as_str())).collect();
        assert_eq!(options, [("Free", "Free"), ("pro", "Pro"), ("team", "team")]);
        assert_eq!(
            fields[4].link,
            Some(Link { href: "https://shop.example/terms".into(), text: "Read them".into() })
        );
    }

    #[test]
    fn test_bad_fields_are_named_and_left_out_and_the_others_kept() {
        let (fields, errors) = parse_declaration(&json!([
            { "id": "ok", "label": "OK", "type": "text" },
            { "id": "when", "label": "When", "type": "date" },
            { "id": "ok", "label": "Again", "type": "text" },
            { "id": "", "label": "Empty", "type": "text" },
            { "label": "No id", "type": "text" },
            { "id": "plan", "label": "Plan", "type": "select" },
            { "id": "plan2", "label": "Plan", "type": "select", "options": [] },
            { "id": "terms", "label": "T", "type": "consent",
              "link": { "href": "javascript:alert(1)", "text": "x" } },
            { "id": "Upper", "label": "U", "type": "text" },
        ]));
        assert_eq!(fields.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), ["ok"]);
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 8, "{messages:#?}");
        assert!(messages[0].starts_with("pre-chat field \"when\": unknown type \"date\""));
        assert_eq!(messages[1], "pre-chat field \"ok\": another field has the same id");
        assert_eq!(messages[2], "pre-chat field #4: id is empty");
        assert_eq!(messages[3], "pre-chat field #5: id must be a string");
        assert!(messages[4].starts_with("pre-chat field \"plan\": a select needs options"));
        assert_eq!(messages[5], "pre-chat field \"plan2\": a select needs at least one option");
        assert!(messages[6].contains("\"terms\": link.href \"javascript:alert(1)\""));
        assert!(messages[7].starts_with("pre-chat field #9: id \"Upper\" must be"));
    }

    #[test]
    fn test_a_declaration_is_an_array_of_known_shapes() {
        assert_eq!(parse_declaration(&json!({ "id": "x" })).1[0].field, "list");
        assert!(parse_declaration_text("[{").1[0].message.contains("not JSON"));
        assert!(refusal(json!({ "id": "a", "label": "A", "type": "text", "requried": true }))
            .contains("unknown key \"requried\""));
        assert!(refusal(json!({ "id": "a", "label": "  ", "type": "text" })).contains("label"));
        assert!(refusal(json!({ "id": "a", "label": "A", "type": "text", "required": "yes" }))
            .contains("required must be true or false"));
        assert!(refusal(json!({ "id": "a", "label": "A", "type": "text", "options": ["x"] }))
            .contains("only a select has options"));
        assert!(refusal(json!({ "id": "a", "label": "A", "type": "text",
            "link": { "href": "/x", "text": "x" } }))
        .contains("only a consent field has a link"));
        assert!(refusal(json!({ "id": "a", "label": "A", "type": "select",
            "options": ["x", { "value": "x", "label": "X" }] }))
        .contains("option \"x\" is listed twice"));
        assert!(refusal(json!({ "id": "a", "label": "A\u{7}", "type": "text" }))
            .contains("control characters"));
        assert!(refusal(
            json!({ "id": "a", "label": "x".repeat(MAX_LABEL_CHARS + 1), "type": "text" })
        )
        .contains("over 200"));
        assert!(refusal(
            json!({ "id": "a".repeat(MAX_ID_CHARS + 1), "label": "A", "type": "text" })
        )
        .contains("must be 1 to 40"));
        assert!(valid_id(&"a".repeat(MAX_ID_CHARS)));
        let many: Vec<Value> = (0..MAX_FIELDS + 2)
            .map(|i| json!({ "id": format!("f{i}"), "label": "F", "type": "text" }))
            .collect();
        let (fields, errors) = parse_declaration(&Value::Array(many));
        assert_eq!((fields.len(), errors.len()), (MAX_FIELDS, 2));
        assert!(errors[0].message.contains("at most 20"));
    }

    #[test]
    fn test_consent_links_are_web_addresses_or_paths_on_the_site() {
        for ok in ["https://shop.example/terms", "HTTP://shop.example", "/privacy#cookies"] {
            assert!(safe_href(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "//evil.example/",
            "/\\evil.example",
            "https://",
            "terms.html",
            "https://a.example/\nx",
            "",
        ] {
            assert!(!safe_href(bad), "{bad:?}");
        }
    }

    #[test]
    fn test_answers_are_judged_by_type() {
        let text = declared(json!({ "id": "t", "label": "T", "type": "text" }));
        assert_eq!(check(&text, None), Ok(None));
        assert_eq!(check(&text, Some(&json!("  hi "))), Ok(Some(json!("hi"))));
        assert_eq!(check(&text, Some(&json!("é".repeat(MAX_VALUE_CHARS)))).map(|_| ()), Ok(()));
        assert_eq!(
            check(&text, Some(&json!("é".repeat(MAX_VALUE_CHARS + 1)))),
            Err(Problem::TooLong(MAX_VALUE_CHARS))
        );
        assert_eq!(check(&text, Some(&json!(7))), Err(Problem::WrongType));

        let email = declared(json!({ "id": "e", "label": "E", "type": "email", "required": true }));
        assert_eq!(check(&email, Some(&json!(" "))), Err(Problem::Required));
        assert_eq!(check(&email, Some(&json!("ana@example"))), Err(Problem::Email));
        assert_eq!(check(&email, Some(&json!("zoë@exämple.org"))).map(|_| ()), Ok(()));

        let phone = declared(json!({ "id": "p", "label": "P", "type": "phone" }));
        for ok in ["+33 1 23 45 67 89", "(555) 123-4567", "020.7946.0958"] {
            assert_eq!(check(&phone, Some(&json!(ok))).map(|_| ()), Ok(()), "{ok}");
        }
        for bad in ["12345", "call me", "+1 (555) 123-4567 ext 8", "1+2345678", "1234567890123456"]
        {
            assert_eq!(check(&phone, Some(&json!(bad))), Err(Problem::Phone), "{bad}");
        }

        let select = declared(json!({ "id": "s", "label": "S", "type": "select", "required": true,
            "options": [{ "value": "pro", "label": "Pro" }] }));
        assert_eq!(check(&select, Some(&json!(""))), Err(Problem::Required));
        assert_eq!(check(&select, Some(&json!("Pro"))), Err(Problem::NotAnOption));
        assert_eq!(check(&select, Some(&json!("pro"))), Ok(Some(json!("pro"))));

        let consent =
            declared(json!({ "id": "c", "label": "C", "type": "consent", "required": true }));
        assert_eq!(check(&consent, None), Err(Problem::Required));
        assert_eq!(check(&consent, Some(&json!(false))), Err(Problem::Required));
        assert_eq!(check(&consent, Some(&json!("true"))), Err(Problem::WrongType));
        assert_eq!(check(&consent, Some(&json!(true))), Ok(Some(json!(true))));
        let optional = declared(json!({ "id": "c", "label": "C", "type": "consent" }));
        assert_eq!(check(&optional, None), Ok(Some(json!(false))));
    }

    #[test]
    fn test_answers_without_a_declaration() {
        assert_eq!(check_undeclared(&json!(" x ")), Ok(Some(json!("x"))));
        assert_eq!(check_undeclared(&json!(true)), Ok(Some(json!(true))));
        assert_eq!(check_undeclared(&json!([1])), Err(Problem::WrongType));
        assert_eq!(
            check_undeclared(&json!("x".repeat(MAX_VALUE_CHARS + 1))),
            Err(Problem::TooLong(MAX_VALUE_CHARS))
        );
    }
}
