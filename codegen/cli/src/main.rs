//! `imagegen <provider> <operation> [flags]`: call any operation of any
//! provider compiled into the crate, save the images it returns.
//!
//! Subcommands and flags are built at run time from the operation tables the
//! generator emits (`imagegen::providers()`), so a new spec gets its commands
//! without any code here. Exit codes: 0 success, 1 local failure (writing
//! images), 2 invalid request or usage, 3 API error, 4 transport or timeout,
//! 5 unreadable response.

mod command;
mod output;
mod progress;
mod report;
mod request;
mod suggest;
mod wire_path;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::ArgMatches;
use futures_util::StreamExt;
use imagegen::runtime::dispatch::{OperationSpec, Outcome, ProviderEntry, Wait};
use imagegen::runtime::{ClientConfig, Constraint, Error, JobProgress, PollPolicy, RetryPolicy, WireRequest};
use serde_json::{json, Value};

use crate::output::{elide_base64, ImageKind, ImageOutput};
use crate::progress::Progress;
use crate::report::{Exit, Failure};
use crate::request::RequestError;

/// Stands in for a missing key in a dry run; it is redacted like a real one.
const DRY_RUN_PLACEHOLDER_KEY: &str = "dry-run-placeholder-key";

fn main() -> ExitCode {
    let providers = imagegen::providers();
    let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    let matches = match command::build(&providers).try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(error) => suggest::improve(error, &providers, &args).exit(),
    };
    let Some((provider_name, provider_matches)) = matches.subcommand() else { return Exit::Usage.into() };
    let Some((command, op_matches)) = provider_matches.subcommand() else { return Exit::Usage.into() };
    let Some(provider) = providers.iter().find(|p| p.info.name == provider_name) else { return Exit::Usage.into() };
    let Some(op) = provider.operations.iter().find(|op| op.command == command) else { return Exit::Usage.into() };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Exit::Failure.into();
        }
    };
    let json = op_matches.get_flag("json");
    let exit = match runtime.block_on(run(provider, op, op_matches)) {
        Ok(exit) => exit,
        Err(failure) => {
            eprintln!("{}", failure.message);
            if json {
                println!("{}", failure.to_json());
            }
            failure.exit
        }
    };
    exit.into()
}

/// Runs one operation; `Ok` carries the exit code of a run that printed its own result.
async fn run(provider: &ProviderEntry, op: &'static OperationSpec, matches: &ArgMatches) -> Result<Exit, Failure> {
    let flags = command::operation_flags(op);
    let built = request::build_call(op, &flags, matches).map_err(|e| match e {
        RequestError::Usage(message) => Failure::usage(message),
        RequestError::Invalid(violations) => Failure::from_error(&Error::Validation(violations), provider.info.name),
    })?;
    for warning in &built.warnings {
        eprintln!("warning: {warning}");
    }
    let mut call = built.call;
    let progress = Progress::new(format!("{} {}", provider.info.name, op.command));
    if matches.try_get_one::<bool>("wait").ok().flatten().copied().unwrap_or(false) {
        call.wait = Some(wait(matches, &progress));
    }
    let config = client_config(provider, matches, &progress)?;
    let json = matches.get_flag("json");
    let dir = matches.get_one::<PathBuf>("out").cloned().unwrap_or_else(|| PathBuf::from("."));
    let mut output = ImageOutput::new(dir, provider.info.name, op.command);
    // A JSON answer's images are written while they arrive, under the same names.
    call.save_images = Some(output.save_images_to());

    progress.start();
    let outcome = (provider.call)(&config, op.id, call).await;
    let response = match outcome {
        Ok(Outcome::Response { json, images, saved }) => {
            progress.finish();
            if !output.record_saved(&images, &saved) {
                for image in &images {
                    output.save(image, ImageKind::Final);
                }
            }
            // The answer as printed: its images shown by size, never encoded again.
            Some(json.summary())
        }
        Ok(Outcome::Stream(mut events)) => {
            let mut last = None;
            while let Some(event) = events.next().await {
                let event = event.map_err(|e| {
                    progress.finish();
                    Failure::from_error(&e, provider.info.name)
                })?;
                if !event.images.is_empty() {
                    progress.clear();
                }
                for image in &event.images {
                    if event.terminal {
                        output.save(image, ImageKind::Final);
                    } else if let Some(saved) = output.save(image, ImageKind::Partial) {
                        let path = saved.file.path.display().to_string();
                        eprintln!("partial image {}: {path}", output.partials.len());
                    }
                }
                if event.terminal {
                    // As printed: the images shown by size, never encoded again.
                    last = Some(event.data.summary());
                }
            }
            progress.finish();
            last
        }
        Err(Error::DryRun(request)) => {
            progress.finish();
            print_dry_run(&request, json);
            return Ok(Exit::Success);
        }
        Err(error) => {
            progress.finish();
            let mut failure = Failure::from_error(&error, provider.info.name);
            // A finished job whose download failed: its answer (result URL, job id) is
            // still the user's, printed where a result goes.
            if let Error::JobResult(finished) = &error {
                let answer = elide_base64(&finished.answer);
                if json {
                    failure.response = Some(answer);
                } else {
                    println!("{}", serde_json::to_string_pretty(&answer).unwrap_or_default());
                }
            }
            report::in_cli_terms(&mut failure, &error, provider.info.api_key_env, &flags);
            if is_shape_mismatch(&error) {
                failure.message.push_str(
                    "\nhint: fields without a flag can be set with --set PATH=VALUE or given in --request FILE",
                );
            }
            return Err(failure);
        }
    };
    print_result(&output, provider, op, response.as_ref(), json);
    output.report_lost();
    // An image outside `--out` (or lost) is a local failure, for scripts to notice.
    Ok(if output.fell_back() { Exit::Failure } else { Exit::Success })
}

/// `--wait`: the documented pace (or `--wait-deadline`, `--poll-interval`), each poll
/// shown on the progress line.
fn wait(matches: &ArgMatches, progress: &Progress) -> Wait {
    let deadline = matches.get_one::<std::time::Duration>("wait-deadline").copied();
    let interval = matches.get_one::<std::time::Duration>("poll-interval").copied();
    let shown = progress.clone();
    let changed = deadline.is_some() || interval.is_some();
    Wait {
        pace: changed.then(|| {
            Arc::new(move |mut policy: PollPolicy| {
                if let Some(deadline) = deadline {
                    policy = policy.with_deadline(deadline);
                }
                if let Some(interval) = interval {
                    (policy.interval, policy.max_interval, policy.backoff) = (interval, interval, 1.0);
                }
                policy
            }) as Arc<dyn Fn(PollPolicy) -> PollPolicy + Send + Sync>
        }),
        progress: Some(Arc::new(move |poll: &JobProgress<'_>| shown.job(poll))),
    }
}

/// The client's settings from the common options; what they leave unset keeps its default.
fn client_config(provider: &ProviderEntry, matches: &ArgMatches, progress: &Progress) -> Result<ClientConfig, Failure> {
    let dry_run = matches.get_flag("dry-run");
    let mut api_key = matches.get_one::<String>("api-key").cloned();
    let env_key_set = std::env::var(provider.info.api_key_env).is_ok_and(|k| !k.trim().is_empty());
    if dry_run && api_key.is_none() && !env_key_set {
        eprintln!("note: {} is not set; the dry run shows a placeholder key", provider.info.api_key_env);
        api_key = Some(DRY_RUN_PLACEHOLDER_KEY.to_string());
    }
    let auth_scheme = match matches.get_one::<String>("auth") {
        Some(name) => Some(
            provider
                .info
                .auth_scheme_named(name)
                .map_err(|e| Failure::from_error(&Error::Config(e), provider.info.name))?,
        ),
        None => None,
    };
    let mut retry_policy = progress.retry_policy(RetryPolicy::default());
    if let Some(retries) = matches.get_one::<u32>("max-retries") {
        retry_policy = retry_policy.with_max_retries(*retries);
    }
    // The provider's documented headers given on the command line; the rest are read
    // from their environment variables when the client is built.
    let headers = provider
        .info
        .headers
        .iter()
        .filter_map(|h| matches.get_one::<String>(&command::header_flag(h)).map(|v| (h.name.to_string(), v.clone())))
        .collect();
    let defaults = ClientConfig::default();
    Ok(ClientConfig {
        base_url: matches.get_one::<String>("base-url").cloned(),
        api_key,
        auth_scheme,
        timeout: matches.get_one::<std::time::Duration>("timeout").copied().unwrap_or(defaults.timeout),
        retry_policy,
        dry_run,
        // Always installed: a request's warnings are printed with or without `-v`.
        observer: Some(report::observer(progress.clone(), matches.get_flag("verbose"))),
        headers,
        ..defaults
    })
}

/// The request as a whole did not fit its type (a missing nested field, say),
/// which flags alone may not be able to fix.
fn is_shape_mismatch(error: &Error) -> bool {
    match error {
        Error::Validation(e) => {
            e.violations().iter().any(|v| v.path.is_empty() && matches!(v.rule, Constraint::Encoding { .. }))
        }
        _ => false,
    }
}

fn print_dry_run(request: &WireRequest, json: bool) {
    if json {
        let body = match (request.body_json(), request.body_bytes()) {
            (Some(body), _) => body,
            (None, Some(bytes)) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
            (None, None) => Value::Null,
        };
        let headers: serde_json::Map<String, Value> =
            request.headers.iter().map(|(n, v)| (n.clone(), Value::String(v.clone()))).collect();
        let summary = json!({
            "dry_run": { "method": request.method, "url": request.url, "headers": headers, "body": body },
        });
        println!("{summary}");
    } else {
        println!("{request}");
    }
}

/// The response's text parts, where the operation table says they are.
fn text_parts(op: &OperationSpec, response: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for path in op.texts {
        if let Ok(steps) = wire_path::parse(path) {
            wire_path::collect(response, &steps, &mut found);
        }
    }
    found.into_iter().filter_map(Value::as_str).filter(|t| !t.trim().is_empty()).map(str::to_string).collect()
}

fn print_result(
    output: &ImageOutput,
    provider: &ProviderEntry,
    op: &OperationSpec,
    response: Option<&Value>,
    json: bool,
) {
    let texts = response.map(|response| text_parts(op, response)).unwrap_or_default();
    if json {
        println!("{}", output.summary(provider.info.name, op.command, response, &texts));
        return;
    }
    // stdout lists the saved images, one path a line, for scripts; the model's words go beside it.
    for text in &texts {
        eprintln!("text: {text}");
    }
    for image in &output.images {
        println!("{}", image.file.path.display());
    }
    if output.images.is_empty() {
        // No image (a status query, or URLs instead of data): the response is the result.
        if let Some(response) = response {
            let pretty = serde_json::to_string_pretty(&elide_base64(response)).unwrap_or_default();
            println!("{pretty}");
        }
    }
}
