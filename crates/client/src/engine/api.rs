//! Typed tunnelled calls: the aim command conventions (JSON body, mutation id) and Sync reads.

use std::{future::Future, time::Duration};

use convo_wire::json;
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
    /// Sends the request at once (see [`Connection::request`]); the future is its reply.
    fn call(
        &self,
        method: &'static str,
        url: &str,
        body: Option<String>,
        content_type: &'static str,
        headers: Vec<(String, String)>,
    ) -> impl Future<Output = Result<RpcReply, Error>> + use<> {
        let request = RpcRequest {
            method,
            url: url.to_owned(),
            headers,
            content_type,
            body,
            timeout: self.timeout,
        };
        self.connection.request(request)
    }

    /// A GET; Sync and aim reads alike.
    pub(crate) async fn get(&self, url: &str) -> Result<Value, Error> {
        Ok(self.call("GET", url, None, "application/json", Vec::new()).await?.body)
    }

    /// A command: JSON body and an idempotency key, so a retry after a lost reply is applied
    /// once. Sent at once; the future is its reply.
    pub(crate) fn command(
        &self,
        method: &'static str,
        url: &str,
        body: Value,
        mutation_id: &str,
    ) -> impl Future<Output = Result<Value, Error>> + use<> {
        let headers = vec![("X-Twilio-Mutation-Id".to_owned(), mutation_id.to_owned())];
        let reply = self.call(
            method,
            url,
            Some(json::text(&body)),
            "application/json; charset=utf-8",
            headers,
        );
        async move { Ok(reply.await?.body) }
    }

    /// A Sync write-free POST (subscriptions).
    pub(crate) async fn post(&self, url: &str, body: Value) -> Result<Value, Error> {
        Ok(self
            .call("POST", url, Some(json::text(&body)), "application/json", Vec::new())
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
