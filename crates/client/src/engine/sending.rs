//! The engine's side of sending: driving the outbox through uploads and sends.

use std::{future::Future, time::Duration};

use convo_wire::json;
use futures_channel::{mpsc, oneshot};
use futures_util::StreamExt;

use serde_json::Value;

use super::{
    api::{encode, Api},
    outbox::{Next, Progress},
    Engine, Event,
};
use crate::{model::Attachment, platform, Error};

/// How long a retryable failure waits before the next try on a live connection.
const RETRY_DELAY: Duration = Duration::from_secs(1);

impl Engine {
    /// Starts the next upload or send for `conversation`, if it can go now.
    pub(super) fn pump(&mut self, conversation: &str) {
        if !self.connected
            || self.config.is_none()
            || !self.conversations.contains_key(conversation)
        {
            return;
        }
        let Some(next) = self.outbox.next(conversation) else { return };
        let conv = conversation.to_owned();
        match next {
            Next::Send { local_id, body, mutation_id } => {
                let Some(url) =
                    self.conversation_url(conversation).map(|u| format!("{u}/Messages"))
                else {
                    return;
                };
                // The frame leaves now; the task only waits for its reply.
                let sent = send(&self.api, &url, body, &mutation_id);
                self.spawn(Box::pin(async move {
                    let result = sent.await;
                    Event::Outbox(Progress::Sent { conversation: conv, local_id, result })
                }));
                self.refresh_pending(conversation, local_id);
            }
            Next::Upload { local_id, attachment } => {
                let config = self.config.as_ref().expect("checked above");
                let url = format!(
                    "{}?Category=media&Filename={}",
                    config.link("media_service"),
                    encode(&attachment.filename)
                );
                let token = self.api.connection.token().unwrap_or_default();
                let (cancel, cancelled) = oneshot::channel();
                self.outbox.set_cancel(conversation, local_id, cancel);
                let (progress, mut updates) = mpsc::unbounded::<(u64, u64)>();
                let tx = self.tx.clone();
                let relay_conv = conv.clone();
                platform::spawn(Box::pin(async move {
                    while let Some((sent, _total)) = updates.next().await {
                        let progress = Progress::Uploading {
                            conversation: relay_conv.clone(),
                            local_id,
                            sent,
                        };
                        let _ = tx.unbounded_send(Event::Outbox(progress));
                    }
                }));
                self.spawn(Box::pin(async move {
                    let result = upload(&url, token, attachment, progress, cancelled).await;
                    Event::Outbox(Progress::Uploaded { conversation: conv, local_id, result })
                }));
                self.refresh_pending(conversation, local_id);
            }
        }
    }

    fn refresh_pending(&mut self, conversation: &str, local_id: u64) {
        if let Some(c) = self.conversations.get(conversation) {
            self.outbox.show(conversation, local_id, c);
        }
    }

    pub(super) fn outbox_progress(&mut self, progress: Progress) {
        let finished = !matches!(progress, Progress::Uploading { .. });
        let (conversation, local_id, retry) = self.outbox.progress(progress);
        // Sent, and the message already arrived through Sync: the echo gives way to it. So
        // it does when the message is older than the loaded window (a message restored from
        // an earlier page that the server had applied long before): it will not arrive.
        if let Some(index) = self.outbox.sent_index(&conversation, local_id) {
            if self.conversations.get(&conversation).is_some_and(|c| {
                c.messages.contains(index) || c.oldest_index().is_some_and(|oldest| index < oldest)
            }) {
                self.outbox_confirmed(&conversation, index);
            }
        }
        self.refresh_pending(&conversation, local_id);
        if retry {
            let tx = self.tx.clone();
            let conv = conversation.clone();
            platform::spawn(Box::pin(async move {
                platform::sleep(RETRY_DELAY).await;
                let _ = tx.unbounded_send(Event::Pump(conv));
            }));
        } else if finished {
            self.pump(&conversation);
        }
    }

    /// The message at `index` arrived: the pending echo that sent it goes.
    pub(super) fn outbox_confirmed(&mut self, conversation: &str, index: u64) {
        if let Some(local_id) = self.outbox.confirmed(conversation, index) {
            if let Some(c) = self.conversations.get(conversation) {
                c.hide_pending(local_id);
            }
        }
    }
}

/// Posts a message, at once; the future is its index in the conversation's list.
fn send(
    api: &Api,
    url: &str,
    body: Value,
    mutation_id: &str,
) -> impl Future<Output = Result<u64, Error>> + use<> {
    let reply = api.command("POST", url, body, mutation_id);
    async move {
        let reply = reply.await?;
        reply["index"].as_u64().ok_or_else(|| {
            Error::Network(format!("a send reply without an index: {}", json::text(&reply)))
        })
    }
}

/// Uploads an attachment to the media service; the media sid.
async fn upload(
    url: &str,
    token: String,
    attachment: Attachment,
    progress: mpsc::UnboundedSender<(u64, u64)>,
    cancelled: oneshot::Receiver<()>,
) -> Result<String, Error> {
    let headers = vec![("X-Twilio-Token".to_owned(), token)];
    let response = platform::upload(
        url,
        &headers,
        &attachment.content_type,
        attachment.bytes,
        progress,
        cancelled,
    )
    .await?;
    if !(200..300).contains(&response.status) {
        return Err(Error::Http {
            status: response.status,
            message: crate::auth::error_message(&response.body),
        });
    }
    let record: Value = json::parse(&response.body)
        .map_err(|e| Error::Network(format!("the media service answered without a record: {e}")))?;
    record["sid"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Error::Network("a media record without a sid".to_owned()))
}
