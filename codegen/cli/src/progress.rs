//! A one-line spinner on stderr while a call runs: elapsed time, the countdown of a
//! retry wait, and a waited job's status. Drawn only when stderr is a terminal;
//! otherwise each new job status is one line on stderr.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use imagegen::runtime::{JobProgress, RetryPolicy};

const FRAMES: &[char] = &['|', '/', '-', '\\'];
const TICK: Duration = Duration::from_millis(120);

#[derive(Default)]
struct State {
    /// When the current retry wait ends, and which retry follows it.
    retry: Option<(Instant, u32)>,
    retries: u32,
    /// The last job status read, and the polls so far.
    job: Option<(String, u32)>,
    finished: bool,
}

/// The spinner's shared state; cheap to clone into hooks.
#[derive(Clone)]
pub struct Progress {
    label: String,
    started: Instant,
    enabled: bool,
    state: Arc<Mutex<State>>,
}

impl Progress {
    /// A spinner labelled `label`, drawn only if stderr is a terminal.
    pub fn new(label: String) -> Self {
        Self {
            label,
            started: Instant::now(),
            enabled: std::io::stderr().is_terminal(),
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    /// Starts drawing on a background task until [`Progress::finish`].
    pub fn start(&self) {
        if !self.enabled {
            return;
        }
        let progress = self.clone();
        tokio::spawn(async move {
            let mut frame = 0;
            loop {
                if !progress.draw(FRAMES[frame % FRAMES.len()]) {
                    break;
                }
                frame += 1;
                tokio::time::sleep(TICK).await;
            }
        });
    }

    /// Wraps `policy` so that its waits between attempts show on the spinner.
    pub fn retry_policy(&self, policy: RetryPolicy) -> RetryPolicy {
        let state = self.state.clone();
        policy.with_sleep(move |wait| {
            if let Ok(mut state) = state.lock() {
                state.retries += 1;
                state.retry = Some((Instant::now() + wait, state.retries));
            }
            let state = state.clone();
            async move {
                tokio::time::sleep(wait).await;
                if let Ok(mut state) = state.lock() {
                    state.retry = None;
                }
            }
        })
    }

    /// Shows one poll of a waited job: on the spinner, or without a terminal as a line
    /// on stderr each time the status changes (`job: Pending (poll 1, 0s)`).
    pub fn job(&self, poll: &JobProgress<'_>) {
        let Ok(mut state) = self.state.lock() else { return };
        let changed = state.job.as_ref().is_none_or(|(status, _)| status != poll.status);
        state.job = Some((poll.status.to_string(), poll.polls));
        if !self.enabled && changed {
            let status = printable(poll.status, 80);
            eprintln!("job: {status} (poll {}, {}s)", poll.polls, poll.elapsed.as_secs());
        }
    }

    /// Erases the spinner line so that other output starts on a clean line; the next tick redraws it.
    pub fn clear(&self) {
        if self.enabled {
            let _guard = self.state.lock();
            eprint!("\r\x1b[2K");
        }
    }

    /// Stops and erases the spinner.
    pub fn finish(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.finished = true;
        }
        self.clear();
    }

    /// Draws one frame; false once finished.
    fn draw(&self, frame: char) -> bool {
        let Ok(state) = self.state.lock() else { return false };
        if state.finished {
            return false;
        }
        let elapsed = self.started.elapsed().as_secs();
        let mut line = match state.retry {
            Some((until, retry)) => {
                let left = until.saturating_duration_since(Instant::now()).as_secs_f64();
                format!("{frame} {} {elapsed}s - retry {retry} in {left:.0}s", self.label)
            }
            None => format!("{frame} {} {elapsed}s", self.label),
        };
        if let Some((status, polls)) = &state.job {
            let status = printable(status, 40);
            line.push_str(&format!(" - job {status} (poll {polls})"));
        }
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[2K{line}");
        let _ = stderr.flush();
        true
    }
}

/// A status text from the server as shown on a terminal: at most `limit` characters,
/// control characters (which could move the cursor or recolour the terminal) dropped.
fn printable(status: &str, limit: usize) -> String {
    let mut shown: String = status.chars().filter(|c| !c.is_control()).take(limit).collect();
    if status.chars().filter(|c| !c.is_control()).nth(limit).is_some() {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn job_statuses_are_shown_short_and_without_control_characters() {
        assert_eq!(printable("Pending", 40), "Pending");
        assert_eq!(printable("Con\x1b[2Jtent", 40), "Con[2Jtent");
        assert_eq!(printable("abcdef", 3), "abc…");
    }
}
