//! A small client for the Conversations REST API v1 — the only way the backend talks to Twilio,
//! so the same code runs against Twilio and against the emulator (only the base URL differs).

use convo_wire::TwilioError;
use serde::Deserialize;
use serde_json::Value;

use crate::BackendError;

/// REST API access with API-key credentials.
#[derive(Debug, Clone)]
pub struct TwilioApi {
    http: reqwest::Client,
    base: String,
    service: String,
    key: String,
    secret: String,
    /// Serialises this process's read-modify-write of conversation attributes (the staff map):
    /// the REST API has no conditional update, and the agent desk and the bot can write the same
    /// conversation at once.
    attribute_writes: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// A conversation in a list.
#[derive(Debug, Clone, Deserialize)]
pub struct ConversationSummary {
    /// CH…
    pub sid: String,
    /// `active`, `inactive` or `closed`.
    pub state: String,
    /// JSON text.
    pub attributes: String,
    /// RFC 3339.
    pub date_created: String,
}

/// The fields of a conversation the backend reads.
#[derive(Debug, Clone, Deserialize)]
pub struct ConversationInfo {
    /// CH…
    pub sid: String,
    /// `active`, `inactive` or `closed`.
    pub state: String,
}

impl TwilioApi {
    /// A client for `base` (e.g. `https://conversations.twilio.com`) and the service `service`.
    pub fn new(base: &str, service: &str, api_key: &str, api_secret: &str) -> Self {
        TwilioApi {
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            base: base.trim_end_matches('/').to_owned(),
            service: service.to_owned(),
            key: api_key.to_owned(),
            secret: api_secret.to_owned(),
            attribute_writes: Default::default(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1/Services/{}/{path}", self.base, self.service)
    }

    async fn call(
        &self,
        method: reqwest::Method,
        url: String,
        form: &[(&str, &str)],
        webhooks: bool,
    ) -> Result<Value, BackendError> {
        let mut request = self.http.request(method, url).basic_auth(&self.key, Some(&self.secret));
        if !form.is_empty() {
            request = request.form(form);
        }
        if webhooks {
            request = request.header("X-Twilio-Webhook-Enabled", "true");
        }
        let response =
            request.send().await.map_err(|e| BackendError::Unreachable(e.to_string()))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(body);
        }
        let error = serde_json::from_value::<TwilioError>(body)
            .unwrap_or_else(|_| TwilioError::new(status.as_u16(), 0, status.to_string()));
        Err(BackendError::Twilio(error))
    }

    /// Creates a conversation.
    pub async fn create_conversation(
        &self,
        friendly_name: &str,
        attributes: &str,
    ) -> Result<ConversationInfo, BackendError> {
        let body = self
            .call(
                reqwest::Method::POST,
                self.url("Conversations"),
                &[("FriendlyName", friendly_name), ("Attributes", attributes)],
                false,
            )
            .await?;
        parse(body)
    }

    /// Fetches a conversation; `None` when it no longer exists.
    pub async fn conversation(&self, sid: &str) -> Result<Option<ConversationInfo>, BackendError> {
        match self
            .call(reqwest::Method::GET, self.url(&format!("Conversations/{sid}")), &[], false)
            .await
        {
            Ok(body) => parse(body).map(Some),
            Err(BackendError::Twilio(e)) if e.status == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The service's most recently created conversations (at most 100), newest first.
    pub async fn recent_conversations(&self) -> Result<Vec<ConversationSummary>, BackendError> {
        #[derive(Deserialize)]
        struct Page {
            conversations: Vec<ConversationSummary>,
        }
        let body = self
            .call(reqwest::Method::GET, self.url("Conversations?PageSize=100"), &[], false)
            .await?;
        let mut page: Page = parse(body)?;
        page.conversations.sort_by(|a, b| b.date_created.cmp(&a.date_created));
        Ok(page.conversations)
    }

    /// Records `identity` as staff of kind `kind` (`agent`, `bot`) in the conversation's
    /// attributes, `{"staff": {identity: kind}}`, keeping every other attribute. Only the
    /// backend writes this map, through REST; a visitor's default role cannot change
    /// conversation attributes, so a client may trust it where it cannot trust participant or
    /// message attributes (which their authors write). Nothing is written when already there.
    pub async fn record_staff(
        &self,
        conversation: &str,
        identity: &str,
        kind: &str,
    ) -> Result<(), BackendError> {
        let _writing = self.attribute_writes.lock().await;
        let url = self.url(&format!("Conversations/{conversation}"));
        let body = self.call(reqwest::Method::GET, url.clone(), &[], false).await?;
        let text = body["attributes"].as_str().unwrap_or("{}");
        let mut attributes = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            // Attributes that are not an object (another tool's choice) are kept under a key
            // rather than lost.
            Ok(other) => serde_json::Map::from_iter([("previous".to_owned(), other)]),
            Err(_) => serde_json::Map::new(),
        };
        let staff = attributes.entry("staff").or_insert_with(|| Value::Object(Default::default()));
        if !staff.is_object() {
            *staff = Value::Object(Default::default());
        }
        if staff[identity] == kind {
            return Ok(());
        }
        staff[identity] = Value::String(kind.to_owned());
        let text = Value::Object(attributes).to_string();
        self.call(reqwest::Method::POST, url, &[("Attributes", &text)], false).await.map(drop)
    }

    /// Adds a chat participant.
    pub async fn add_participant(
        &self,
        conversation: &str,
        identity: &str,
        attributes: &str,
    ) -> Result<(), BackendError> {
        let url = self.url(&format!("Conversations/{conversation}/Participants"));
        self.call(
            reqwest::Method::POST,
            url,
            &[("Identity", identity), ("Attributes", attributes)],
            false,
        )
        .await
        .map(drop)
    }

    /// Posts a message as `author`; with `webhooks`, post-event webhooks fire for it.
    pub async fn send_message(
        &self,
        conversation: &str,
        author: &str,
        body: &str,
        attributes: &str,
        webhooks: bool,
    ) -> Result<(), BackendError> {
        let url = self.url(&format!("Conversations/{conversation}/Messages"));
        self.call(
            reqwest::Method::POST,
            url,
            &[("Author", author), ("Body", body), ("Attributes", attributes)],
            webhooks,
        )
        .await
        .map(drop)
    }

    /// Points the service's post-event webhooks at `url` for the given events.
    pub async fn configure_webhooks(
        &self,
        url: &str,
        filters: &[&str],
    ) -> Result<(), BackendError> {
        let mut form = vec![("PostWebhookUrl", url), ("Method", "POST")];
        form.extend(filters.iter().map(|f| ("Filters", *f)));
        self.call(reqwest::Method::POST, self.url("Configuration/Webhooks"), &form, false)
            .await
            .map(drop)
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: Value) -> Result<T, BackendError> {
    serde_json::from_value(body)
        .map_err(|e| BackendError::Unreachable(format!("unexpected response: {e}")))
}
