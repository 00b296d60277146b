//! Typed tunnelled calls: the aim command conventions (JSON body, mutation id) and Sync reads.

use std::time::Duration;

use serde_json::Value;

use crate::{
    connection::{Connection, RpcReply, RpcRequest},
    platform, Error,
};

/// Tunnelled HTTP over the connection.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    pub(crate) connection: Connection,
    pub(crate) timeout: Duration,
}

impl Api {
    async fn call(
        &self,
        method: &'static str,
        url: &str,
        body: Option<String>,
        content_type: &'static str,
        headers: Vec<(String, String)>,
    ) -> Result<RpcReply, Error> {
        let request = RpcRequest {
            method,
            url: url.to_owned(),
            headers,
            content_type,
            body,
            timeout: self.timeout,
        };
        self.connection.request(request).await
    }

    /// A GET; Sync and aim reads alike.
    pub(crate) async fn get(&self, url: &str) -> Result<Value, Error> {
        Ok(self.call("GET", url, None, "application/json", Vec::new()).await?.body)
    }

    /// A command: JSON body and an idempotency key, so a retry after a lost reply is applied
    /// once.
    pub(crate) async fn command(
        &self,
        method: &'static str,
        url: &str,
        body: Value,
        mutation_id: &str,
    ) -> Result<Value, Error> {
        let headers = vec![("X-Twilio-Mutation-Id".to_owned(), mutation_id.to_owned())];
        let reply = self
            .call(method, url, Some(body.to_string()), "application/json; charset=utf-8", headers)
            .await?;
        Ok(reply.body)
    }

    /// A Sync write-free POST (subscriptions).
    pub(crate) async fn post(&self, url: &str, body: Value) -> Result<Value, Error> {
        Ok(self
            .call("POST", url, Some(body.to_string()), "application/json", Vec::new())
            .await?
            .body)
    }

    /// The typing POST is form-encoded, unlike every other call.
    pub(crate) async fn post_form(&self, url: &str, form: &str) -> Result<Value, Error> {
        let reply = self
            .call(
                "POST",
                url,
                Some(form.to_owned()),
                "application/x-www-form-urlencoded",
                Vec::new(),
            )
            .await?;
        Ok(reply.body)
    }
}

/// A fresh idempotency key.
pub(crate) fn mutation_id() -> String {
    platform::new_message_id()[2..].to_owned()
}

/// One URL path segment from any text (ids and identities may hold any character).
pub(crate) use convo_wire::url::path_segment as encode;
