//! A fake tenant API (ARM or Graph) on 127.0.0.1 for collector tests.
//!
//! Hand-written HTTP/1.1 on a tokio `TcpListener` (one request per connection, `Connection:
//! close`). It serves recorded payloads (`fixtures/recorded/<tenant>/{arm,graph}.json`: request
//! path → full item list or one object), pages lists `page_size` items at a time with absolute
//! next links (`nextLink` for ARM, `@odata.nextLink` for Graph), filters `$filter=appId eq '…'`,
//! records every request, and injects faults per path: throttling (429 + `Retry-After`), 403 with
//! ARM / Graph error bodies, 500 on one page, a next link to another host, 401 for a wrong token.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Which API the server pretends to be (error body and next-link shapes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Arm,
    Graph,
}

/// One request as received.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Path as sent, without the query.
    pub path: String,
    /// Decoded query pairs.
    pub query: Vec<(String, String)>,
    /// Headers, names lower-cased.
    pub headers: HashMap<String, String>,
    pub at: Instant,
}

impl Recorded {
    pub fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// A fault injected on one path (compared case-insensitively).
#[derive(Clone, Debug)]
pub enum Fault {
    /// The first `times` requests get 429 with this `Retry-After` value.
    Throttle { retry_after: String, times: usize },
    /// Every request gets 403 with an `AuthorizationFailed` / `Authorization_RequestDenied` body.
    Forbidden,
    /// Every request for page `page` (0-based) gets 500; the page before always links to it.
    FailPage { page: usize },
    /// Page 0 links to `link` as its next page.
    ForeignNext { link: String },
    /// Every request gets `302 Found` with this `Location`.
    Redirect { location: String },
}

struct State {
    flavor: Flavor,
    base: String,
    routes: HashMap<String, Value>,
    faults: HashMap<String, Fault>,
    token: Option<String>,
    page_size: usize,
    latency: Duration,
    requests: Mutex<Vec<Recorded>>,
    hits: Mutex<HashMap<String, usize>>,
}

/// Configures a server before it starts.
pub struct Builder {
    flavor: Flavor,
    routes: HashMap<String, Value>,
    faults: HashMap<String, Fault>,
    token: Option<String>,
    page_size: usize,
    latency: Duration,
}

impl Builder {
    pub fn new(flavor: Flavor) -> Self {
        Self {
            flavor,
            routes: HashMap::new(),
            faults: HashMap::new(),
            token: None,
            page_size: 2,
            latency: Duration::ZERO,
        }
    }

    /// Loads `fixtures/recorded/<tenant>/{arm,graph}.json`.
    pub fn recorded(mut self, tenant: &str) -> Self {
        let file = match self.flavor {
            Flavor::Arm => "arm.json",
            Flavor::Graph => "graph.json",
        };
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/recorded")
            .join(tenant)
            .join(file);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let map: HashMap<String, Value> =
            serde_json::from_str(&text).expect("recorded payloads parse");
        for (path, value) in map {
            self.routes.insert(path.to_ascii_lowercase(), value);
        }
        self
    }

    pub fn route(mut self, path: &str, value: Value) -> Self {
        self.routes.insert(path.to_ascii_lowercase(), value);
        self
    }

    pub fn fault(mut self, path: &str, fault: Fault) -> Self {
        self.faults.insert(path.to_ascii_lowercase(), fault);
        self
    }

    /// Answer 401 unless `Authorization: Bearer <token>`.
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    pub fn page_size(mut self, size: usize) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// Delay before every response.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    pub async fn start(self) -> FakeTenant {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(State {
            flavor: self.flavor,
            base: format!("http://{addr}"),
            routes: self.routes,
            faults: self.faults,
            token: self.token,
            page_size: self.page_size,
            latency: self.latency,
            requests: Mutex::new(Vec::new()),
            hits: Mutex::new(HashMap::new()),
        });
        let serving = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&serving);
                tokio::spawn(async move {
                    // A broken connection only affects that request; the client sees the error.
                    let _ = serve(stream, &state).await;
                });
            }
        });
        FakeTenant { state, task }
    }
}

/// A running fake server; stops when dropped.
pub struct FakeTenant {
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl Drop for FakeTenant {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeTenant {
    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> &str {
        &self.state.base
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().expect("requests lock").clone()
    }

    /// Requests whose path equals `path` (case-insensitively).
    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.eq_ignore_ascii_case(path))
            .collect()
    }
}

async fn serve(mut stream: TcpStream, state: &State) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 || buf.len() > 64 * 1024 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers: HashMap<String, String> = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let url = url::Url::parse(&format!("{}{target}", state.base)).expect("request target");
    let path = url.path().to_owned();
    let query: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let recorded = Recorded {
        method,
        path,
        query,
        headers,
        at: Instant::now(),
    };
    state
        .requests
        .lock()
        .expect("requests lock")
        .push(recorded.clone());

    let (status, extra, body) = respond(state, &recorded);
    if !state.latency.is_zero() {
        tokio::time::sleep(state.latency).await;
    }
    let body = body.to_string();
    let reason = match status {
        200 => "OK",
        302 => "Found",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        _ => "Internal Server Error",
    };
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(&body);
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

fn error(
    state: &State,
    status: u16,
    code_arm: &str,
    code_graph: &str,
    message: &str,
) -> (u16, Vec<(String, String)>, Value) {
    let code = match state.flavor {
        Flavor::Arm => code_arm,
        Flavor::Graph => code_graph,
    };
    let body = match state.flavor {
        Flavor::Arm => json!({"error": {"code": code, "message": message}}),
        Flavor::Graph => json!({"error": {"code": code, "message": message,
            "innerError": {"date": "2026-11-24T10:00:00", "request-id": "00000000-0000-0000-0000-000000000000"}}}),
    };
    (status, Vec::new(), body)
}

fn respond(state: &State, request: &Recorded) -> (u16, Vec<(String, String)>, Value) {
    if request.method != "GET" {
        return error(
            state,
            405,
            "MethodNotAllowed",
            "Request_BadRequest",
            "only GET is served",
        );
    }
    if let Some(token) = &state.token {
        if request.header("authorization") != Some(&format!("Bearer {token}")) {
            return error(
                state,
                401,
                "InvalidAuthenticationToken",
                "InvalidAuthenticationToken",
                "The access token is invalid.",
            );
        }
    }
    let key = request.path.to_ascii_lowercase();
    let page: usize = request
        .query("$skiptoken")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let hit = {
        let mut hits = state.hits.lock().expect("hits lock");
        let n = hits.entry(format!("{key}#{page}")).or_insert(0);
        *n += 1;
        *n
    };
    match state.faults.get(&key) {
        Some(Fault::Throttle { retry_after, times }) if hit <= *times => {
            let (_, _, body) = error(
                state,
                429,
                "TooManyRequests",
                "TooManyRequests",
                "Rate limit exceeded.",
            );
            return (429, vec![("Retry-After".into(), retry_after.clone())], body);
        }
        Some(Fault::Forbidden) => {
            return error(
                state,
                403,
                "AuthorizationFailed",
                "Authorization_RequestDenied",
                "The client 'alice.admin@contoso.com' does not have authorization to perform this action.",
            );
        }
        Some(Fault::Redirect { location }) => {
            return (302, vec![("Location".into(), location.clone())], json!({}));
        }
        Some(Fault::FailPage { page: failing }) if *failing == page => {
            return error(
                state,
                500,
                "InternalServerError",
                "generalException",
                "Something went wrong.",
            );
        }
        _ => {}
    }
    let Some(route) = state.routes.get(&key) else {
        return error(
            state,
            404,
            "ResourceNotFound",
            "Request_ResourceNotFound",
            "The resource was not found.",
        );
    };
    let Value::Array(items) = route else {
        return (200, Vec::new(), route.clone());
    };
    let filtered: Vec<&Value> = match request.query("$filter").and_then(app_id_filter) {
        Some(app_id) => items
            .iter()
            .filter(|i| i.get("appId").and_then(Value::as_str) == Some(app_id))
            .collect(),
        None => items.iter().collect(),
    };
    let start = page * state.page_size;
    let chunk: Vec<Value> = filtered
        .iter()
        .skip(start)
        .take(state.page_size)
        .map(|v| (*v).clone())
        .collect();
    let mut body = json!({ "value": chunk });
    let foreign = match state.faults.get(&key) {
        Some(Fault::ForeignNext { link }) if page == 0 => Some(link.clone()),
        _ => None,
    };
    // A failing page is always linked to, even past the end (a list that breaks after its data).
    let failing_next =
        matches!(state.faults.get(&key), Some(Fault::FailPage { page: p }) if *p == page + 1);
    let next = foreign.or_else(|| {
        (start + state.page_size < filtered.len() || failing_next).then(|| {
            let mut url =
                url::Url::parse(&format!("{}{}", state.base, request.path)).expect("next link");
            {
                let mut pairs = url.query_pairs_mut();
                for (k, v) in request.query.iter().filter(|(k, _)| k != "$skiptoken") {
                    pairs.append_pair(k, v);
                }
                pairs.append_pair("$skiptoken", &(page + 1).to_string());
            }
            url.to_string()
        })
    });
    if let Some(next) = next {
        let key = match state.flavor {
            Flavor::Arm => "nextLink",
            Flavor::Graph => "@odata.nextLink",
        };
        body[key] = Value::String(next);
    }
    (200, Vec::new(), body)
}

/// `X` of `appId eq 'X'`.
fn app_id_filter(filter: &str) -> Option<&str> {
    filter.strip_prefix("appId eq '")?.strip_suffix('\'')
}
