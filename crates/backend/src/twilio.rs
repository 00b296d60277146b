//! A small client for the Conversations REST API v1 — the only way the backend talks to Twilio,
//! so the same code runs against Twilio and against the emulator (only the base URL differs).

use convo_wire::{url::path_segment, TwilioError};
use serde::Deserialize;
use serde_json::Value;

use crate::{config::Timers, BackendError};

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

    /// Creates a conversation with the given timers (ISO 8601 durations; `None` leaves one
    /// unset).
    pub async fn create_conversation(
        &self,
        friendly_name: &str,
        attributes: &str,
        timers: &Timers,
    ) -> Result<ConversationInfo, BackendError> {
        let mut form = vec![("FriendlyName", friendly_name), ("Attributes", attributes)];
        if let Some(inactive) = &timers.inactive {
            form.push(("Timers.Inactive", inactive));
        }
        if let Some(closed) = &timers.closed {
            form.push(("Timers.Closed", closed));
        }
        if timers.inactive.is_some() || timers.closed.is_some() {
            // Twilio refuses timers on a create without a State (error 50382).
            form.push(("State", "active"));
        }
        let body =
            self.call(reqwest::Method::POST, self.url("Conversations"), &form, false).await?;
        parse(body)
    }

    /// The newest conversation of this service that `identity` takes part in and that is not
    /// closed, through `ParticipantConversations` (the first 100, which is also Twilio's cap on
    /// a page; a visitor has a handful).
    pub async fn open_conversation_of(
        &self,
        identity: &str,
    ) -> Result<Option<String>, BackendError> {
        #[derive(Deserialize)]
        struct Entry {
            conversation_sid: String,
            conversation_state: String,
            #[serde(default)]
            conversation_date_created: String,
        }
        #[derive(Deserialize)]
        struct Page {
            conversations: Vec<Entry>,
        }
        let url = reqwest::Url::parse_with_params(
            &self.url("ParticipantConversations"),
            &[("Identity", identity), ("PageSize", "100")],
        )
        .map_err(|e| BackendError::Config(format!("the Twilio API URL is not a URL: {e}")))?;
        let body = self.call(reqwest::Method::GET, url.into(), &[], false).await?;
        let page: Page = parse(body)?;
        Ok(page
            .conversations
            .into_iter()
            .filter(|c| c.conversation_state != "closed")
            // RFC 3339 in UTC sorts as text.
            .max_by(|a, b| a.conversation_date_created.cmp(&b.conversation_date_created))
            .map(|c| c.conversation_sid))
    }

    /// Turns on the service's Reachability Indicator (off by default on Twilio), so visitors
    /// see whether an agent is online. Refused or ignored, it is an error: the widget's
    /// presence would silently show nothing.
    pub async fn enable_reachability(&self) -> Result<(), BackendError> {
        let body = self
            .call(
                reqwest::Method::POST,
                self.url("Configuration"),
                &[("ReachabilityEnabled", "true")],
                false,
            )
            .await?;
        if body["reachability_enabled"] == true {
            Ok(())
        } else {
            Err(BackendError::Config(format!(
                "the Conversations service {} did not enable reachability (its configuration \
                 says reachability_enabled: {})",
                self.service, body["reachability_enabled"]
            )))
        }
    }

    /// Whether the user `identity` is online now (Twilio's Reachability Indicator, which the
    /// backend turns on); one who never signed in does not exist yet, and is not.
    pub async fn user_online(&self, identity: &str) -> Result<bool, BackendError> {
        let url = self.url(&format!("Users/{}", path_segment(identity)));
        match self.call(reqwest::Method::GET, url, &[], false).await {
            Ok(body) => Ok(body["is_online"] == true),
            Err(BackendError::Twilio(e)) if e.status == 404 => Ok(false),
            Err(e) => Err(e),
        }
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

    /// Closes a conversation for good (`State=closed`): its participants can read it but no
    /// longer write, and a visitor's widget shows it has ended. Closing a closed one is a
    /// no-op, as on Twilio.
    pub async fn close_conversation(&self, sid: &str) -> Result<ConversationInfo, BackendError> {
        let url = self.url(&format!("Conversations/{sid}"));
        let body = self.call(reqwest::Method::POST, url, &[("State", "closed")], false).await?;
        parse(body)
    }

    /// The service's most recently created conversations (at most 100), newest first.
    pub async fn recent_conversations(&self) -> Result<Vec<ConversationSummary>, BackendError> {
        /// Twilio lists conversations oldest first: the newest are on the last page. The desk
        /// is the demo's (a local emulator), so reading every page is cheap; bounded anyway.
        const MOST_PAGES: usize = 100;
        #[derive(Deserialize)]
        struct Page {
            conversations: Vec<ConversationSummary>,
            #[serde(default)]
            meta: Meta,
        }
        #[derive(Deserialize, Default)]
        struct Meta {
            next_page_url: Option<String>,
        }
        let mut all = Vec::new();
        let mut next = Some(self.url("Conversations?PageSize=100"));
        for _ in 0..MOST_PAGES {
            let Some(url) = next.take() else { break };
            let page: Page = parse(self.call(reqwest::Method::GET, url, &[], false).await?)?;
            all.extend(page.conversations);
            next = page.meta.next_page_url;
        }
        // Newest first; within a second (the dates' resolution), the later in Twilio's order.
        all.reverse();
        all.sort_by(|a, b| b.date_created.cmp(&a.date_created));
        all.truncate(100);
        Ok(all)
    }

    /// Records `identity` as staff of kind `kind` (`agent`, `bot`) in the conversation's
    /// attributes, `{"staff": {identity: kind}}`. Only the backend writes this map, through
    /// REST; a visitor's default role cannot change conversation attributes, so a client may
    /// trust it where it cannot trust participant or message attributes (which their authors
    /// write).
    pub async fn record_staff(
        &self,
        conversation: &str,
        identity: &str,
        kind: &str,
    ) -> Result<(), BackendError> {
        self.update_attributes(conversation, |attributes| {
            let staff =
                attributes.entry("staff").or_insert_with(|| Value::Object(Default::default()));
            if !staff.is_object() {
                *staff = Value::Object(Default::default());
            }
            if staff[identity] == kind {
                return false;
            }
            staff[identity] = Value::String(kind.to_owned());
            true
        })
        .await
    }

    /// Changes the conversation's attributes with `change`, keeping every other attribute;
    /// nothing is written when `change` says it changed nothing. Read-modify-writes are
    /// serialised, so two changes to different keys never lose one another.
    pub async fn update_attributes(
        &self,
        conversation: &str,
        change: impl FnOnce(&mut serde_json::Map<String, Value>) -> bool,
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
        if !change(&mut attributes) {
            return Ok(());
        }
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
