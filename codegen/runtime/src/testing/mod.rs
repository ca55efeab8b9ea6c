//! Mock provider servers for the tests of code that calls generated clients
//! (feature `testing`): no network, no key, answers from the spec.
//!
//! Each generated provider module has a `testing` module (`imagegen::octen::testing`)
//! naming [`MockServer`] for its client and wiring in the provider's operation
//! table, request checks and documented response examples. A mock:
//!
//! - answers each operation with the first success response the spec documents
//!   (elided base64 replaced by a real 1x1 PNG), or with what the test supplies
//!   through [`MockServer::respond_with`];
//! - checks every request against the spec: a known method and path, the API key
//!   in a header the operation accepts, the content type, and the body parsed
//!   strictly as the operation's request type and validated. A request that
//!   fails answers with an error in the provider's envelope (404, 401, 415, 400),
//!   so the code under test sees what a real server would send;
//! - records every request, with the problems found, for [`MockServer::received`].
//!
//! ```no_run
//! # // The generated module supplies `C`; `imagegen::octen::testing::MockServer` is
//! # // this type for the Octen client.
//! # async fn example<C: imagegen_runtime::testing::MockedProvider>() -> Result<(), Box<dyn std::error::Error>> {
//! let server = imagegen_runtime::testing::MockServer::<C>::start().await?;
//! let client: C = server.client()?;
//! // ... run the code under test with `client` ...
//! assert!(server.problems().is_empty(), "{:?}", server.problems());
//! # Ok(())
//! # }
//! ```

mod answer;
mod inspect;
mod problem;
mod server;

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::de::DeserializeOwned;
use serde_json::Value;

use self::answer::Answer;
pub use self::answer::{DocumentedResponse, PLACEHOLDER_PNG};
pub use self::problem::Problem;
use crate::dispatch::{Call, OperationSpec};
use crate::{ClientBuilder, Error, FilePart, OperationInfo, ProviderClient};

/// The API key a mock expects and [`MockServer::client`] sends.
pub const TEST_API_KEY: &str = "imagegen-test-key";

/// One operation a mock serves: what the client sends (method, path, auth) and
/// how its request travels (body kind, form field types).
#[derive(Debug, Clone, Copy)]
pub struct MockOperation {
    /// Method, path template and accepted auth schemes.
    pub info: &'static OperationInfo,
    /// Body kind and fields, from the operation table.
    pub spec: &'static OperationSpec,
}

/// A provider client a mock can stand in for; implemented by each generated
/// provider module's `testing` module.
pub trait MockedProvider: ProviderClient + Send + Sync + 'static {
    /// Every operation of the provider.
    const OPERATIONS: &'static [MockOperation];
    /// Every response and error example the spec documents.
    const EXAMPLES: &'static [DocumentedResponse];
    /// Parses a request strictly as its operation's request type and validates it.
    fn check(operation: &str, call: &Call) -> Result<(), Error>;
}

/// A request a mock received, as the spec reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedRequest {
    /// The operation it was routed to; `None` when no operation has its method and path.
    pub operation: Option<&'static str>,
    /// The method (`POST`).
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query parameters, decoded, in order; a key sent in the query is redacted.
    pub query: Vec<(String, String)>,
    /// Path parameters by name, decoded.
    pub path_params: BTreeMap<String, String>,
    /// Every header in arrival order, the ones that can carry a key redacted.
    pub headers: Vec<(String, String)>,
    /// The JSON body, or a multipart form's text fields as a JSON object; `null` for none.
    pub body: Value,
    /// A multipart form's files by part name.
    pub files: BTreeMap<String, Vec<FilePart>>,
    /// What was wrong with it; empty for a request that follows the spec.
    pub problems: Vec<Problem>,
}

impl ReceivedRequest {
    /// The body as a typed request, read as strictly as the mock read it
    /// (`received.request::<imagegen::octen::ImageGenerationRequest>()`).
    pub fn request<T: DeserializeOwned>(&self) -> Result<T, Error> {
        crate::dispatch::request_from_json(self.body.clone())
    }

    /// The first value of a header (lowercase name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What the server task and the test share.
struct Shared {
    spec: inspect::Spec,
    examples: &'static [DocumentedResponse],
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Answers the test supplied, by operation id; they replace the documented ones.
    answers: BTreeMap<&'static str, Answer>,
    received: Vec<ReceivedRequest>,
}

impl Shared {
    /// A poisoned lock only means a test thread panicked while holding it; the
    /// records are still whole, so keep serving them.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a request and decides its answer: the first problem's error, else
    /// the test's answer, else the documented success example.
    fn record(&self, mut received: ReceivedRequest) -> Answer {
        let format = received
            .operation
            .and_then(|id| self.spec.operations.iter().find(|op| op.info.id == id))
            .map_or(self.spec.provider.envelopes, |op| op.info.envelopes);
        let mut state = self.state();
        let answer = match (received.problems.first(), received.operation) {
            (Some(problem), _) => Answer::error(format, problem.status(), &problem.to_string()),
            (None, Some(operation)) => match state.answers.get(operation) {
                Some(answer) => answer.clone(),
                None => match self.examples.iter().find(|ex| ex.operation == operation && ex.is_success()) {
                    Some(example) => Answer::json(example.status, example.body()),
                    None => {
                        let problem = Problem::NoAnswer { operation };
                        let answer = Answer::error(format, problem.status(), &problem.to_string());
                        received.problems.push(problem);
                        answer
                    }
                },
            },
            // Routing failed, so a problem was recorded: the first arm took it.
            (None, None) => Answer::error(format, 404, "no operation answers this request"),
        };
        state.received.push(received);
        answer
    }
}

/// A local server standing in for provider `C` (see the [module docs](self)).
/// It stops when dropped.
pub struct MockServer<C: MockedProvider> {
    url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
    client: PhantomData<fn() -> C>,
}

impl<C: MockedProvider> std::fmt::Debug for MockServer<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer").field("provider", &C::PROVIDER.name).field("url", &self.url).finish()
    }
}

impl<C: MockedProvider> Drop for MockServer<C> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl<C: MockedProvider> MockServer<C> {
    /// Starts a mock on a free loopback port. Call it inside a Tokio runtime
    /// (`#[tokio::test]`); outside one it fails instead of panicking.
    pub async fn start() -> std::io::Result<Self> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(std::io::Error::other("MockServer::start needs a Tokio runtime (use #[tokio::test])"));
        }
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            spec: inspect::Spec {
                provider: C::PROVIDER,
                operations: C::OPERATIONS,
                check: C::check,
                api_key: TEST_API_KEY.to_string(),
            },
            examples: C::EXAMPLES,
            state: Mutex::new(State::default()),
        });
        let task = server::spawn(listener, shared.clone());
        Ok(Self { url, shared, task, client: PhantomData })
    }

    /// The base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A client builder pointed at the mock with [`TEST_API_KEY`] and no retries
    /// (an error the test supplies arrives once); change anything before `build()`.
    pub fn builder(&self) -> ClientBuilder<C> {
        ClientBuilder::new().base_url(self.url.clone()).api_key(TEST_API_KEY).max_retries(0)
    }

    /// A client pointed at the mock: [`MockServer::builder`], built.
    pub fn client(&self) -> Result<C, Error> {
        self.builder().build()
    }

    /// Answers every later call of `operation` with `status` and this JSON body,
    /// instead of the documented example. Requests that break the spec still get
    /// their error. An operation the provider does not have, or a status outside
    /// 100-999, is refused.
    pub fn respond_with(&self, operation: &str, status: u16, body: Value) -> Result<(), Error> {
        if !(100..=999).contains(&status) {
            return Err(invalid_setup(format!("{status} is not an HTTP status")));
        }
        self.answer(operation, Answer::json(status, body.to_string()))
    }

    /// Answers every later call of `operation` with the documented example called
    /// `example` (an error example, say), by its name in the spec.
    pub fn respond_with_example(&self, operation: &str, example: &str) -> Result<(), Error> {
        let found = C::EXAMPLES.iter().find(|ex| ex.operation == operation && ex.name == example).ok_or_else(|| {
            let names: Vec<&str> =
                C::EXAMPLES.iter().filter(|ex| ex.operation == operation).map(|ex| ex.name).collect();
            invalid_setup(format!(
                "`{operation}` has no documented example `{example}`; it has: {}",
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            ))
        })?;
        self.answer(operation, Answer::json(found.status, found.body()))
    }

    /// Answers every later call of `operation` with a complete server-sent event
    /// stream of `(event name, data)` pairs, for streaming operations.
    pub fn respond_with_events(&self, operation: &str, events: &[(&str, Value)]) -> Result<(), Error> {
        self.answer(operation, Answer::events(events))
    }

    /// Back to the documented answers for every operation.
    pub fn reset_answers(&self) {
        self.shared.state().answers.clear();
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<ReceivedRequest> {
        self.shared.state().received.clone()
    }

    /// The requests received for `operation`, in order.
    pub fn received_for(&self, operation: &str) -> Vec<ReceivedRequest> {
        self.received().into_iter().filter(|r| r.operation == Some(operation)).collect()
    }

    /// Every problem found in any request so far, with the request's method and path.
    pub fn problems(&self) -> Vec<(String, Problem)> {
        let state = self.shared.state();
        state
            .received
            .iter()
            .flat_map(|r| r.problems.iter().map(move |p| (format!("{} {}", r.method, r.path), p.clone())))
            .collect()
    }

    fn answer(&self, operation: &str, answer: Answer) -> Result<(), Error> {
        let id = C::OPERATIONS
            .iter()
            .map(|op| op.info.id)
            .find(|id| *id == operation)
            .ok_or_else(|| crate::dispatch::unknown_operation(operation))?;
        self.shared.state().answers.insert(id, answer);
        Ok(())
    }
}

fn invalid_setup(message: String) -> Error {
    Error::Validation(crate::ValidationError::single(crate::Violation {
        path: String::new(),
        rule: crate::Constraint::Encoding { expected: "a mock answer the provider could send" },
        message,
    }))
}
