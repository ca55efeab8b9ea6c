//! Errors as one clear line (plus one line per violation), their exit codes,
//! the request's warnings and the `-v` request log. Nothing printed here can hold the API key: the
//! runtime's errors and request views are redacted.

use std::io::Write;
use std::process::ExitCode;

use imagegen::runtime::error::{ConfigError, StreamError};
use imagegen::runtime::jobs::JobErrorKind;
use imagegen::runtime::{Error, HttpEvent, Observer, WireBody};
use serde_json::{json, Value};

use crate::command::{OperationFlag, Target};
use crate::output::elide_base64;
use crate::progress::Progress;

/// Exit codes, one per kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done.
    Success = 0,
    /// A local failure, such as an image that could not be written.
    Failure = 1,
    /// Invalid request or usage: nothing was sent.
    Usage = 2,
    /// The provider answered with an error.
    Api = 3,
    /// The connection failed or a deadline passed.
    Transport = 4,
    /// The response could not be read (decode, stream, size).
    Response = 5,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// A failure ready to print: the message and the exit code.
pub struct Failure {
    /// What went wrong, starting with `error:`.
    pub message: String,
    /// The exit code.
    pub exit: Exit,
    /// The HTTP status, when one was received.
    pub status: Option<u16>,
    /// What the provider answered that is still the user's (a finished job whose result
    /// did not download), for the `--json` form.
    pub response: Option<Value>,
}

impl Failure {
    /// A usage failure.
    pub fn usage(message: impl std::fmt::Display) -> Self {
        Self { message: format!("error: {message}"), exit: Exit::Usage, status: None, response: None }
    }

    /// Describes a runtime error of a call to `provider`.
    pub fn from_error(error: &Error, provider: &str) -> Self {
        let (message, exit) = match error {
            Error::Validation(e) => (format!("error: {e}"), Exit::Usage),
            Error::Config(e) => (format!("error: {}", chain(e)), Exit::Usage),
            Error::Encode(e) => (format!("error: {}", chain(e)), Exit::Usage),
            Error::Api(e) => {
                let reason = reqwest::StatusCode::from_u16(e.status).ok().and_then(|s| s.canonical_reason());
                let status = match reason {
                    Some(reason) => format!("{} {reason}", e.status),
                    None => e.status.to_string(),
                };
                // The runtime keeps the whole message; one terminal line shows its start.
                let message = match (e.message(), e.body.is_empty()) {
                    (Some(message), _) => shorten(message),
                    (None, true) => "(empty body)".to_string(),
                    (None, false) => e.body_snippet(),
                };
                let code = e.code().map(|c| format!(" ({c})")).unwrap_or_default();
                let attempts = attempts_note(e.attempts);
                (format!("error: {status} from {provider}: {}{code}{attempts}", one_line(&message)), Exit::Api)
            }
            Error::Transport(e) => (
                format!("error: could not reach {provider}: {}{}", chain(&e.source), attempts_note(e.attempts)),
                Exit::Transport,
            ),
            Error::Timeout(e) => (
                format!("error: {provider} timed out: {}{}", chain(&e.source), attempts_note(e.attempts)),
                Exit::Transport,
            ),
            // The runtime's message shows the body; serde's reason is its source.
            Error::Decode(e) => (format!("error: unreadable response from {provider}: {}", chain(e)), Exit::Response),
            Error::Stream(StreamError::Transport(source)) => {
                (format!("error: the event stream from {provider} broke: {}", chain(source)), Exit::Response)
            }
            Error::Stream(e) => (format!("error: event stream from {provider}: {}", chain(e)), Exit::Response),
            Error::BodyTooLarge { .. } => (format!("error: response from {provider}: {error}"), Exit::Response),
            // A job that ended badly is the provider's answer; one that ran out of time is a
            // deadline passing, like a timeout. The last failed poll, if any, is the source.
            Error::Job(e) => {
                let exit = if e.kind == JobErrorKind::DeadlineExceeded { Exit::Transport } else { Exit::Api };
                (format!("error: {provider}: {}", chain(&**e)), exit)
            }
            // The download's own failure says how it failed and which exit code fits.
            Error::JobResult(e) => {
                let download = Self::from_error(&e.error, provider);
                (format!("error: {provider}: {e}: {}", download.message.trim_start_matches("error: ")), download.exit)
            }
            other => (format!("error: {other}"), Exit::Failure),
        };
        Self { message, exit, status: error.status(), response: None }
    }

    /// The `--json` form.
    pub fn to_json(&self) -> Value {
        let mut summary = json!({ "error": { "message": self.message.trim_start_matches("error: "), "status": self.status, "exit_code": self.exit as u8 } });
        if let Some(response) = &self.response {
            summary["response"] = response.clone();
        }
        summary
    }
}

/// Rewrites a runtime message that speaks of the library (builder methods, wire paths)
/// in the terms of this command line: the flag that fixes it.
pub fn in_cli_terms(failure: &mut Failure, error: &Error, api_key_env: &str, flags: &[OperationFlag]) {
    match error {
        Error::Config(ConfigError::MissingApiKey { .. }) => {
            failure.message = format!("error: no API key: pass --api-key KEY or set {api_key_env}");
        }
        Error::Config(ConfigError::InsecureBaseUrl { host }) => {
            failure.message =
                format!("error: refusing plain http:// to non-loopback host `{host}`; use an https:// --base-url");
        }
        Error::Validation(e) => {
            let n = e.violations().len();
            let mut message = format!("error: invalid request ({n} violation{}):", if n == 1 { "" } else { "s" });
            for v in e.violations() {
                message.push_str(&format!("\n  - {v}"));
                // A violation already naming its flag (`required; pass --model`) needs no second mention.
                if let Some(flag) = flag_for(&v.path, flags).filter(|_| !v.message.contains("--")) {
                    message.push_str(&format!(" (--{flag})"));
                }
            }
            failure.message = message;
        }
        _ => {}
    }
}

/// The flag that sets the field at a violation's path: the field's own flag, or the image
/// flag whose list the path is an item of (`referenceImages[1].inlineData.data`).
fn flag_for<'a>(path: &str, flags: &'a [OperationFlag]) -> Option<&'a str> {
    flags.iter().find_map(|flag| {
        let found = match flag.target {
            Target::Field(spec) => spec.path == path,
            Target::PathParam(spec) => spec.wire == path,
            Target::Image(spec) => {
                path == spec.path || path.strip_prefix(spec.path).is_some_and(|rest| rest.starts_with(['[', '.']))
            }
            Target::File(spec) => spec.wire == path,
            _ => false,
        };
        found.then_some(flag.name.as_str())
    })
}

/// " (gave up after N attempts)" after retries, as the runtime's own messages say it.
fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (gave up after {attempts} attempts)")
    } else {
        String::new()
    }
}

/// An error and its sources, `: `-separated, on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(next) = source {
        let next_text = next.to_string();
        if !text.contains(&next_text) {
            text.push_str(": ");
            text.push_str(&next_text);
        }
        source = next.source();
    }
    one_line(&text)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Characters of a request body shown in the `-v` log.
const LOGGED_BODY_CHARS: usize = 2_000;

/// What the client reports while it sends, on stderr: the request's warnings
/// (parameters the server ignores) always, and with `verbose` (`-v`) each request,
/// response head and retry.
pub fn observer(progress: Progress, verbose: bool) -> Observer {
    Observer::new(move |event| {
        if let HttpEvent::Warning { warning, .. } = event {
            progress.clear();
            let _ = writeln!(std::io::stderr().lock(), "warning: {warning}");
            return;
        }
        if !verbose {
            return;
        }
        progress.clear();
        let mut err = std::io::stderr().lock();
        let _ = match event {
            HttpEvent::Request { attempt, request } => {
                let mut text = format!("> {} {} (attempt {})\n", request.method, request.url, attempt + 1);
                for (name, value) in &request.headers {
                    text.push_str(&format!("> {name}: {value}\n"));
                }
                match &request.body {
                    WireBody::Empty => {}
                    WireBody::NotCaptured { length } => {
                        text.push_str(&format!("> <multipart body, {} bytes>\n", length.unwrap_or(0)))
                    }
                    WireBody::Bytes(_) => {
                        let body = match request.body_json() {
                            Some(json) => elide_base64(&json).to_string(),
                            None => "<non-JSON body>".to_string(),
                        };
                        text.push_str(&format!("> {}\n", shorten(&body)));
                    }
                }
                err.write_all(text.as_bytes())
            }
            HttpEvent::Response { status, headers, elapsed, .. } => {
                let reason = reqwest::StatusCode::from_u16(*status).ok().and_then(|s| s.canonical_reason());
                let mut text = format!("< {status} {} ({:.2}s)\n", reason.unwrap_or(""), elapsed.as_secs_f64());
                for (name, value) in headers.iter() {
                    // Cookies are credentials too.
                    let value = if name == "set-cookie" {
                        "<redacted>".into()
                    } else {
                        String::from_utf8_lossy(value.as_bytes())
                    };
                    text.push_str(&format!("< {name}: {value}\n"));
                }
                err.write_all(text.as_bytes())
            }
            HttpEvent::Retry { attempt, wait, error } => writeln!(
                err,
                "! attempt {} failed ({}); retrying in {:.1}s",
                attempt + 1,
                one_line(&error.to_string()),
                wait.as_secs_f64()
            ),
            _ => Ok(()),
        };
    })
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(LOGGED_BODY_CHARS) {
        Some((end, _)) => format!("{}… ({} bytes in all)", &text[..end], text.len()),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use imagegen::runtime::jobs::{wait, JobState};
    use imagegen::runtime::PollPolicy;

    use super::*;

    /// A job error as the runtime makes it: polls answering `states` in turn.
    async fn job_error(states: &[(JobState, &str)], deadline: Duration) -> Error {
        let policy = PollPolicy::fixed(Duration::from_secs(1), deadline).with_sleep(|_| std::future::ready(()));
        let mut answers = states.iter().copied();
        let poll = || {
            let answer = answers.next().map(|(state, status)| (state, status.to_string(), ()));
            std::future::ready(answer.ok_or_else(|| Error::Config(ConfigError::InvalidUserAgent)))
        };
        wait(&policy, poll, |_| {}).await.expect_err("no job here ends done")
    }

    #[tokio::test]
    async fn a_moderated_job_is_the_providers_answer_and_a_late_one_a_deadline() {
        let moderated = job_error(
            &[(JobState::Pending, "queued"), (JobState::Moderated, "Content Moderated")],
            Duration::from_secs(60),
        )
        .await;
        let failure = Failure::from_error(&moderated, "octen");
        assert_eq!(failure.exit, Exit::Api);
        assert!(
            failure.message.starts_with("error: octen: the job ended as `Content Moderated` after 2 polls"),
            "{}",
            failure.message
        );

        let late = job_error(&[(JobState::Pending, "IN_PROGRESS"); 5], Duration::from_secs(2)).await;
        let failure = Failure::from_error(&late, "octen");
        assert_eq!(failure.exit, Exit::Transport);
        assert!(failure.message.contains("did not finish within its 2 s deadline"), "{}", failure.message);
        assert!(failure.message.contains("`IN_PROGRESS`"), "{}", failure.message);
    }
}
