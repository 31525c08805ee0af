//! Following `nextLink` (ARM) and `@odata.nextLink` (Graph) until a list is complete.
//!
//! Links are followed only on the configured origin of the API (the client refuses any other
//! host), at most [`MAX_PAGES`] pages per list, and never twice to the same link. A failure keeps
//! the items of the pages already read.

use std::collections::HashSet;

use serde_json::Value;
use url::Url;

use super::client::{Api, Failure, GetClient, describe};

/// Upper bound of pages per list (a loop guard; real lists stay far below).
pub(crate) const MAX_PAGES: usize = 10_000;

/// The items of a list and the failure that stopped it early, if any.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    /// Items of every page read, in order.
    pub(crate) items: Vec<Value>,
    /// Pages read successfully; 0 with a failure means nothing was collected.
    pub(crate) pages: usize,
    /// Why paging stopped before the end.
    pub(crate) failure: Option<Failure>,
}

/// Reads every page of the list at `url`.
pub(crate) async fn list(client: &GetClient, api: Api, url: Url) -> Listing {
    let mut listing = Listing::default();
    let mut seen = HashSet::new();
    let mut next = Some(url);
    while let Some(url) = next.take() {
        let stop = |code: &str, message: String| Failure {
            request: describe(&url),
            status: 0,
            code: code.to_owned(),
            message,
        };
        if listing.pages >= MAX_PAGES {
            listing.failure = Some(stop(
                "PagingLimit",
                format!("stopped after {MAX_PAGES} pages"),
            ));
            break;
        }
        if !seen.insert(url.as_str().to_owned()) {
            listing.failure = Some(stop(
                "PagingLoop",
                "the next link repeats an earlier page".into(),
            ));
            break;
        }
        let mut body = match client.get_json(api, &url).await {
            Ok(body) => body,
            Err(failure) => {
                listing.failure = Some(failure);
                break;
            }
        };
        let Some(Value::Array(items)) = body.get_mut("value").map(Value::take) else {
            listing.failure = Some(stop(
                "InvalidResponse",
                "the body has no `value` list".into(),
            ));
            break;
        };
        listing.pages += 1;
        listing.items.extend(items);
        let link = ["nextLink", "@odata.nextLink"]
            .iter()
            .find_map(|key| body.get(*key).and_then(Value::as_str))
            .filter(|link| !link.trim().is_empty());
        if let Some(link) = link {
            match url.join(link) {
                // The client refuses a link to another origin with a `ForeignHost` failure.
                Ok(link) => next = Some(link),
                Err(e) => {
                    listing.failure = Some(stop(
                        "InvalidResponse",
                        format!("the next link is not a URL: {e}"),
                    ));
                }
            }
        }
    }
    listing
}
