//! The custom pre-chat fields of `POST /api/session` (`fields: { id: answer }`): judged here,
//! never trusted from the widget, and kept in the conversation's attributes as
//! `fields: [{ id, label, value }]` so agents read them by their labels.
//!
//! With `CONVO_PRECHAT_FIELDS` set, answers must fit that declaration (the widget's own, judged
//! by the same [`convo_wire::prechat`] rules); without it, any fields within the general limits
//! are kept, labelled by the page's `field_labels`.

use convo_wire::prechat::{self, CustomField, Problem, MAX_FIELDS};
use serde_json::{json, Map, Value};

use crate::BackendError;

/// The answers to keep, and the first required field left unanswered (refused only when a
/// conversation is created for a visitor who saw the form: not a resumed one, nor a visitor
/// the host identified, whom the widget never shows the form).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Answers {
    /// `[{ id, label, value }]`, in the declaration's (else the request's) order.
    pub kept: Vec<Value>,
    /// The refusal to give if a new conversation is to start.
    pub missing: Option<String>,
}

/// Judges `fields` (with the page's `labels`) against `declared`.
pub(crate) fn judge(
    fields: Option<&Map<String, Value>>,
    labels: Option<&Map<String, Value>>,
    declared: &[CustomField],
) -> Result<Answers, BackendError> {
    let bad = |m: String| Err(BackendError::BadRequest(m));
    let empty = Map::new();
    let fields = fields.unwrap_or(&empty);
    if fields.len() > MAX_FIELDS {
        return bad(format!("fields has {} entries; the limit is {MAX_FIELDS}", fields.len()));
    }
    if let Some(id) = fields.keys().find(|id| !prechat::valid_id(id)) {
        return bad(format!("fields.{id}: an id is 1 to 40 of a-z, 0-9, _ and -"));
    }
    if declared.is_empty() {
        let mut kept = Vec::new();
        for (id, answer) in fields {
            let value = prechat::check_undeclared(answer)
                .map_err(|p| BackendError::BadRequest(refusal(id, p)))?;
            // The declaration's own rule for labels; none (or empty) is the id.
            let label =
                prechat::plain_text(labels.and_then(|l| l.get(id)), &format!("field_labels.{id}"))
                    .map_err(BackendError::BadRequest)?
                    .unwrap_or_else(|| id.clone());
            if let Some(value) = value {
                kept.push(json!({ "id": id, "label": label, "value": value }));
            }
        }
        return Ok(Answers { kept, missing: None });
    }
    if let Some(id) = fields.keys().find(|id| !declared.iter().any(|f| &f.id == *id)) {
        return bad(format!("fields.{id} is not a declared pre-chat field"));
    }
    let mut answers = Answers::default();
    for field in declared {
        match prechat::check(field, fields.get(&field.id)) {
            Ok(Some(value)) => {
                answers.kept.push(json!({ "id": field.id, "label": field.label, "value": value }));
            }
            Ok(None) => {}
            Err(Problem::Required) => {
                answers.missing.get_or_insert_with(|| refusal(&field.id, Problem::Required));
            }
            Err(problem) => return bad(refusal(&field.id, problem)),
        }
    }
    Ok(answers)
}

/// `fields.plan is not one of the options`: the field named by its id, as the page declared it.
fn refusal(id: &str, problem: Problem) -> String {
    format!("fields.{id} {problem}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    fn refused(result: Result<Answers, BackendError>) -> String {
        match result {
            Err(BackendError::BadRequest(message)) => message,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn test_without_a_declaration_only_the_general_limits_apply() {
        let fields = map(json!({ "plan": "pro", "terms": true, "empty": " " }));
        let labels = map(json!({ "plan": "Plan" }));
        let answers = judge(Some(&fields), Some(&labels), &[]).unwrap();
        assert_eq!(
            answers.kept,
            [
                json!({ "id": "plan", "label": "Plan", "value": "pro" }),
                json!({ "id": "terms", "label": "terms", "value": true }),
            ]
        );
        assert_eq!(answers.missing, None);
        assert!(
            refused(judge(Some(&map(json!({ "Plan": "x" }))), None, &[])).contains("fields.Plan")
        );
        assert!(refused(judge(Some(&map(json!({ "n": 3 }))), None, &[]))
            .contains("fields.n has the wrong type"));
        let long = map(json!({ "n": "x".repeat(501) }));
        assert!(refused(judge(Some(&long), None, &[])).contains("fields.n is over 500"));
        let many: Map<String, Value> = (0..21).map(|i| (format!("f{i}"), json!("x"))).collect();
        assert!(refused(judge(Some(&many), None, &[])).contains("the limit is 20"));
        let html = map(json!({ "n": "x" }));
        let labels = map(json!({ "n": ["<b>"] }));
        assert!(refused(judge(Some(&html), Some(&labels), &[])).contains("field_labels.n"));
        let long = map(json!({ "n": "x".repeat(prechat::MAX_LABEL_CHARS + 1) }));
        assert!(refused(judge(Some(&html), Some(&long), &[])).contains("field_labels.n is over"));
        let control = map(json!({ "n": "a\u{7}" }));
        assert!(refused(judge(Some(&html), Some(&control), &[])).contains("control characters"));
        // An empty label is no label: the field is named by its id.
        let empty = map(json!({ "n": "  " }));
        let kept = judge(Some(&html), Some(&empty), &[]).unwrap().kept;
        assert_eq!(kept, vec![json!({ "id": "n", "label": "n", "value": "x" })]);
    }

    #[test]
    fn test_a_declaration_is_enforced_naming_the_field() {
        let (declared, _) = prechat::parse_declaration(&json!([
            { "id": "plan", "label": "Plan", "type": "select", "options": ["a", "b"], "required": true },
            { "id": "phone", "label": "Phone", "type": "phone" },
            { "id": "terms", "label": "Terms", "type": "consent", "required": true },
        ]));
        let ok = map(json!({ "plan": "b", "terms": true, "phone": "" }));
        let answers = judge(Some(&ok), None, &declared).unwrap();
        assert_eq!(
            answers.kept,
            [
                json!({ "id": "plan", "label": "Plan", "value": "b" }),
                json!({ "id": "terms", "label": "Terms", "value": true }),
            ]
        );
        let unanswered = judge(None, None, &declared).unwrap();
        assert_eq!(unanswered.missing.as_deref(), Some("fields.plan is required"));
        let no_consent = judge(Some(&map(json!({ "plan": "a", "terms": false }))), None, &declared);
        assert_eq!(no_consent.unwrap().missing.as_deref(), Some("fields.terms is required"));
        for (answers, says) in [
            (json!({ "plan": "c" }), "fields.plan is not one of the options"),
            (json!({ "phone": "call me" }), "fields.phone is not a telephone number"),
            (json!({ "terms": "yes" }), "fields.terms has the wrong type"),
            (json!({ "other": "x" }), "fields.other is not a declared pre-chat field"),
        ] {
            assert_eq!(refused(judge(Some(&map(answers)), None, &declared)), says);
        }
    }
}
