//! The collection context: the client, the error log, and list helpers that record failures.
//!
//! Every failed request becomes one `errors` entry (DESIGN §2) with the snapshot key it was for
//! (`target`). A list whose first page failed is `None` (the key stays absent); a list that broke
//! later keeps its items and also gets an entry (partial).

use std::sync::Mutex;

use serde_json::{Value, json};

use super::client::{Api, Failure, GetClient};
use super::paging::{self, Listing};

/// Shared state of one collection.
pub(crate) struct Ctx {
    pub(crate) client: GetClient,
    errors: Mutex<Vec<Value>>,
}

impl Ctx {
    pub(crate) fn new(client: GetClient) -> Self {
        Self {
            client,
            errors: Mutex::new(Vec::new()),
        }
    }

    /// Adds an `errors` entry for `failure`, about snapshot key `target`.
    pub(crate) fn record(&self, failure: &Failure, target: &str) {
        tracing::debug!(request = %failure.request, status = failure.status, code = %failure.code, target, "collect failure");
        let entry = json!({
            "request": failure.request,
            // No HTTP answer (network, refused link, token): no status.
            "status": (failure.status != 0).then_some(failure.status),
            "code": failure.code,
            "message": failure.message,
            "target": target,
        });
        self.errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(entry);
    }

    /// The recorded entries, sorted by target then request (stable output).
    pub(crate) fn take_errors(&self) -> Vec<Value> {
        let mut errors =
            std::mem::take(&mut *self.errors.lock().unwrap_or_else(|p| p.into_inner()));
        let key = |v: &Value, k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        errors.sort_by_key(|v| (key(v, "target"), key(v, "request")));
        errors
    }

    /// Lists `path_and_query` on `api`; records a failure against `target`.
    pub(crate) async fn list(
        &self,
        api: Api,
        path_and_query: &str,
        target: &str,
    ) -> Option<Vec<Value>> {
        let url = self.client.url(api, path_and_query);
        self.keep(paging::list(&self.client, api, url).await, target)
    }

    /// Like [`Self::list`], for a resource that may not exist: a 404 on the first page means
    /// "none configured" (an empty list), not a failure.
    pub(crate) async fn list_optional(
        &self,
        api: Api,
        path_and_query: &str,
        target: &str,
    ) -> Option<Vec<Value>> {
        let url = self.client.url(api, path_and_query);
        let listing = paging::list(&self.client, api, url).await;
        if listing.pages == 0 && listing.failure.as_ref().is_some_and(|f| f.status == 404) {
            return Some(Vec::new());
        }
        self.keep(listing, target)
    }

    /// The items of `listing` (`None` when nothing was read), recording its failure.
    pub(crate) fn keep(&self, listing: Listing, target: &str) -> Option<Vec<Value>> {
        if let Some(failure) = &listing.failure {
            self.record(failure, target);
            if listing.pages == 0 {
                return None;
            }
        }
        Some(listing.items)
    }

    /// GETs one object; records a failure against `target`.
    pub(crate) async fn get(&self, api: Api, path_and_query: &str, target: &str) -> Option<Value> {
        let url = self.client.url(api, path_and_query);
        match self.client.get_json(api, &url).await {
            Ok(value) => Some(value),
            Err(failure) => {
                self.record(&failure, target);
                None
            }
        }
    }
}
