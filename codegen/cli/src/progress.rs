//! A one-line spinner on stderr while a call runs: elapsed time, and the
//! countdown of a retry wait. Drawn only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use imagegen::runtime::RetryPolicy;

const FRAMES: &[char] = &['|', '/', '-', '\\'];
const TICK: Duration = Duration::from_millis(120);

#[derive(Default)]
struct State {
    /// When the current retry wait ends, and which retry follows it.
    retry: Option<(Instant, u32)>,
    retries: u32,
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
        let line = match state.retry {
            Some((until, retry)) => {
                let left = until.saturating_duration_since(Instant::now()).as_secs_f64();
                format!("{frame} {} {elapsed}s - retry {retry} in {left:.0}s", self.label)
            }
            None => format!("{frame} {} {elapsed}s", self.label),
        };
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[2K{line}");
        let _ = stderr.flush();
        true
    }
}
