//! The command tree, built at run time from the providers compiled in:
//! `imagegen <provider> <operation> [flags]`. Nothing here names a provider.

use std::collections::BTreeSet;

use clap::builder::{PossibleValue, PossibleValuesParser, ValueParser};
use clap::{value_parser, Arg, ArgAction, Command};
use imagegen::runtime::dispatch::{FlagKind, FlagSpec, ImageFieldSpec, OperationSpec, ProviderEntry, Streaming};
use imagegen::runtime::ProviderHeader;

/// Options every operation accepts; an operation flag with one of these names is renamed.
pub const COMMON: &[&str] = &[
    "base-url",
    "api-key",
    "auth",
    "timeout",
    "max-retries",
    "out",
    "json",
    "dry-run",
    "verbose",
    "request",
    "set",
    "help",
    "wait",
    "wait-deadline",
    "poll-interval",
];

/// Where a command-line flag's value goes.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// A top-level field of the request body.
    Field(&'static FlagSpec),
    /// A path parameter.
    PathParam(&'static FlagSpec),
    /// A file part of a multipart body.
    File(&'static imagegen::runtime::dispatch::FileSpec),
    /// A JSON field holding images, filled from files.
    Image(&'static ImageFieldSpec),
    /// `--stream` for an operation that streams on request but has no such field.
    Stream,
}

/// One flag of an operation: its clap id and what it fills.
#[derive(Debug, Clone)]
pub struct OperationFlag {
    /// The long flag name (and clap id).
    pub name: String,
    /// What it fills.
    pub target: Target,
}

/// The flags of an operation, named without collisions: path parameters and
/// file parts come after body fields, and a clash gets a `path-` or `file-` prefix.
pub fn operation_flags(op: &'static OperationSpec) -> Vec<OperationFlag> {
    let mut taken: BTreeSet<String> = COMMON.iter().map(|s| s.to_string()).collect();
    let mut flags = Vec::new();
    let mut add = |base: &str, prefix: &str, target: Target| {
        // `--header-*` names the provider's documented headers (see `header_flag`).
        let clash = taken.contains(base) || base.starts_with("header-");
        let name = if clash { format!("{prefix}-{base}") } else { base.to_string() };
        taken.insert(name.clone());
        flags.push(OperationFlag { name, target });
    };
    for field in op.flags {
        add(field.flag, "field", Target::Field(field));
    }
    for param in op.path_params {
        add(param.flag, "path", Target::PathParam(param));
    }
    for file in op.files {
        add(file.flag, "file", Target::File(file));
    }
    for image in op.images {
        add(image.flag, "file", Target::Image(image));
    }
    if let Streaming::Flag(wire) = op.streaming {
        if !op.flags.iter().any(|f| f.wire == wire) {
            add("stream", "cli", Target::Stream);
        }
    }
    flags
}

/// The whole command tree.
pub fn build(providers: &[ProviderEntry]) -> Command {
    let mut root = Command::new("imagegen")
        .about("Generate images with the providers described in specs/, from the command line.")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(common_args());
    for provider in providers {
        root = root.subcommand(provider_command(provider));
    }
    root
}

fn provider_command(provider: &ProviderEntry) -> Command {
    let info = provider.info;
    let schemes: Vec<String> = info.auth_schemes.iter().map(|s| s.to_string()).collect();
    let about = format!(
        "{} (API key from {}; --auth one of: {}; default base URL {})",
        info.title,
        info.api_key_env,
        schemes.join(", "),
        info.default_base_url
    );
    let mut command = Command::new(info.name).about(about).subcommand_required(true).arg_required_else_help(true);
    for header in info.headers {
        command = command.arg(header_arg(header));
    }
    for op in provider.operations {
        command = command.subcommand(operation_command(op));
    }
    command
}

/// The flag that sets one of the provider's documented headers: `--header-` and the
/// header name in lowercase (`--header-openai-organization`).
pub fn header_flag(header: &ProviderHeader) -> String {
    let name: String =
        header.name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("header-{name}")
}

/// A provider header's flag, accepted after the operation too.
fn header_arg(header: &'static ProviderHeader) -> Arg {
    let mut help = format!("The `{}` header of every request.", header.name);
    if !header.help.is_empty() {
        help = format!("{} ({help})", header.help.trim_end_matches('.'));
    }
    if let Some(env) = header.env {
        help.push_str(&format!(" Default: ${env}."));
    }
    let flag = header_flag(header);
    Arg::new(flag.clone())
        .long(flag)
        .value_name("VALUE")
        .allow_hyphen_values(true)
        .global(true)
        .help_heading("Provider headers")
        .help(help)
}

fn operation_command(op: &'static OperationSpec) -> Command {
    let mut command = Command::new(op.command).about(op.summary);
    for flag in operation_flags(op) {
        command = command.arg(operation_arg(&flag));
    }
    if op.job.is_some() {
        command = command.args(job_args(op));
    }
    command
}

/// `--wait`, `--wait-deadline` and `--poll-interval`, for an operation that starts an async job.
fn job_args(op: &OperationSpec) -> Vec<Arg> {
    let saves = match op.job.and_then(|job| job.result_url) {
        Some(field) => format!(", then download the result (`{field}`) and save it"),
        None => String::new(),
    };
    vec![
        Arg::new("wait")
            .long("wait")
            .action(ArgAction::SetTrue)
            .help_heading("Job")
            .help(format!("Poll the job until it ends, showing its status on stderr{saves}.")),
        Arg::new("wait-deadline")
            .long("wait-deadline")
            .value_name("SECONDS")
            .value_parser(parse_seconds)
            .requires("wait")
            .help_heading("Job")
            .help("Give up waiting after this long (default: the documented deadline)."),
        Arg::new("poll-interval")
            .long("poll-interval")
            .value_name("SECONDS")
            .value_parser(parse_seconds)
            .requires("wait")
            .help_heading("Job")
            .help("Poll this often instead of at the documented pace (polling faster may be rate-limited)."),
    ]
}

fn operation_arg(flag: &OperationFlag) -> Arg {
    let arg = Arg::new(flag.name.clone()).long(flag.name.clone()).help_heading("Request");
    match flag.target {
        Target::Field(spec) | Target::PathParam(spec) => typed_arg(arg, spec),
        Target::File(file) => {
            let arg = arg.value_name("PATH").help(with_required(file.help, file.required));
            let arg = arg.value_parser(value_parser!(std::path::PathBuf));
            if file.many {
                arg.action(ArgAction::Append)
            } else {
                arg.action(ArgAction::Set)
            }
        }
        Target::Image(image) => {
            let help =
                format!("{} [a file, sniffed and encoded{}]", image.help, if image.many { "; repeatable" } else { "" });
            let arg = arg.value_name("PATH").help(help).value_parser(value_parser!(std::path::PathBuf));
            if image.many {
                arg.action(ArgAction::Append)
            } else {
                arg.action(ArgAction::Set)
            }
        }
        Target::Stream => boolean(arg).help("Stream the response, saving partial images as they arrive."),
    }
}

fn typed_arg(arg: Arg, spec: &FlagSpec) -> Arg {
    let mut help = with_required(spec.help, spec.required);
    if let Some(note) = spec.deprecated {
        help = format!("[deprecated: {note}] {help}");
    }
    match spec.kind {
        FlagKind::String => arg.value_name("TEXT").allow_hyphen_values(true).help(help),
        FlagKind::Integer => {
            arg.value_name("INTEGER").allow_negative_numbers(true).value_parser(value_parser!(i64)).help(help)
        }
        FlagKind::Number => {
            arg.value_name("NUMBER").allow_negative_numbers(true).value_parser(value_parser!(f64)).help(help)
        }
        FlagKind::Boolean => boolean(arg).help(help),
        FlagKind::Choice { values, aliases, open: false } => {
            // Aliases are accepted but left out of the list, which names each value once.
            let possible = values.iter().map(|value| {
                PossibleValue::new(*value).aliases(aliases.iter().filter(|a| a.value == *value).map(|a| a.alias))
            });
            arg.value_name("VALUE")
                .value_parser(PossibleValuesParser::new(possible))
                .help(format!("{help}{}", alias_note(aliases)))
        }
        FlagKind::Choice { values, aliases, open: true } => arg
            .value_name("VALUE")
            .allow_hyphen_values(true)
            .help(format!("{help} [known values: {}; others accepted]{}", values.join(", "), alias_note(aliases))),
    }
}

/// ` [aliases: nano-banana-2 = google/gemini-3.1-flash-image]`, current aliases only.
fn alias_note(aliases: &[imagegen::runtime::dispatch::ValueAlias]) -> String {
    let current: Vec<String> =
        aliases.iter().filter(|a| a.deprecated.is_none()).map(|a| format!("{} = {}", a.alias, a.value)).collect();
    if current.is_empty() {
        String::new()
    } else {
        format!(" [aliases: {}]", current.join(", "))
    }
}

/// `--flag` alone means true; `--flag false` is also accepted.
fn boolean(arg: Arg) -> Arg {
    arg.value_name("BOOL")
        .num_args(0..=1)
        .default_missing_value("true")
        .value_parser(ValueParser::bool())
        .action(ArgAction::Set)
}

fn with_required(help: &str, required: bool) -> String {
    // Not enforced by clap: a required field may come from --request instead.
    if required {
        format!("{help} (required)")
    } else {
        help.to_string()
    }
}

fn common_args() -> Vec<Arg> {
    let global = |arg: Arg| arg.global(true).help_heading("Common options");
    vec![
        global(
            Arg::new("base-url")
                .long("base-url")
                .value_name("URL")
                .help("Send to this base URL instead of the provider's."),
        ),
        global(
            Arg::new("api-key")
                .long("api-key")
                .value_name("KEY")
                .help("API key (default: the provider's environment variable, see `imagegen <provider> --help`)."),
        ),
        global(Arg::new("auth").long("auth").value_name("SCHEME").help(
            "How the key is sent: `bearer`, a header name such as `x-api-key`, or `query:NAME` for \
                     a key in the query (`query:key`).",
        )),
        global(
            Arg::new("timeout")
                .long("timeout")
                .value_name("SECONDS")
                .value_parser(parse_seconds)
                .help("Deadline per attempt, body included (default 300)."),
        ),
        global(
            Arg::new("max-retries")
                .long("max-retries")
                .value_name("N")
                .value_parser(value_parser!(u32))
                .help("Retries of requests the server did not process (default 2)."),
        ),
        global(
            Arg::new("out")
                .long("out")
                .value_name("DIR")
                .value_parser(value_parser!(std::path::PathBuf))
                .default_value(".")
                .help("Directory images are saved to."),
        ),
        global(
            Arg::new("request")
                .long("request")
                .value_name("FILE")
                .help("The full JSON request, from FILE or `-` for stdin; flags override its fields."),
        ),
        global(Arg::new("set").long("set").value_name("PATH=VALUE").action(ArgAction::Append).help(
            "Set any request field by its wire path, such as `imageConfig.aspectRatio=16:9` or \
                     `contents[0].parts[0].text=a cat`; VALUE is JSON when it parses as JSON, else text. Repeatable.",
        )),
        global(Arg::new("json").long("json").action(ArgAction::SetTrue).help("Print a JSON summary on stdout.")),
        global(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help("Print the exact request (key redacted) instead of sending it."),
        ),
        global(
            Arg::new("verbose")
                .short('v')
                .long("verbose")
                .action(ArgAction::SetTrue)
                .help("Log requests and responses to stderr (secrets redacted)."),
        ),
    ]
}

fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    let seconds: f64 = text.parse().map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !seconds.is_finite() || seconds <= 0.0 {
        return Err("the timeout must be a positive number of seconds".to_string());
    }
    std::time::Duration::try_from_secs_f64(seconds).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use imagegen::runtime::dispatch::{BodyKind, BoxedCall, Call};
    use imagegen::runtime::{AuthScheme, ClientConfig, ProviderInfo};

    use super::*;

    static INFO: ProviderInfo = ProviderInfo {
        name: "fake",
        title: "Fake",
        default_base_url: "https://api.example.invalid",
        api_key_env: "FAKE_API_KEY",
        base_url_env: "FAKE_BASE_URL",
        auth_schemes: &[AuthScheme::Query("key")],
        envelopes: &[],
        headers: &[
            ProviderHeader { name: "OpenAI-Organization", help: "Your organisation.", secret: false, env: None },
            ProviderHeader { name: "x-token", help: "", secret: true, env: Some("FAKE_TOKEN") },
        ],
    };

    static OPERATION: OperationSpec = OperationSpec {
        id: "get_result",
        command: "get-result",
        summary: "Reads a result.",
        body: BodyKind::None,
        path_params: &[],
        // A field whose flag would take a provider header's place.
        flags: &[FlagSpec {
            wire: "header_x",
            path: "header_x",
            flag: "header-x",
            kind: FlagKind::String,
            help: "",
            required: false,
            deprecated: None,
        }],
        files: &[],
        images: &[],
        texts: &[],
        streaming: Streaming::No,
        job: None,
    };

    fn never_called(_: &ClientConfig, _: &str, _: Call) -> BoxedCall {
        unreachable!("the command tree is only parsed")
    }

    fn fake() -> ProviderEntry {
        ProviderEntry { info: &INFO, operations: std::slice::from_ref(&OPERATION), call: never_called }
    }

    #[test]
    fn documented_headers_are_flags_of_the_provider_given_before_or_after_the_operation() {
        let tree = build(&[fake()]);
        let matches = tree
            .try_get_matches_from([
                "imagegen",
                "fake",
                "--header-openai-organization",
                "org-1",
                "get-result",
                "--header-x-token",
                "t-2",
            ])
            .expect("parses");
        let (_, provider) = matches.subcommand().expect("a provider");
        let (_, op) = provider.subcommand().expect("an operation");
        let value = |header: &ProviderHeader| op.get_one::<String>(&header_flag(header)).cloned();
        assert_eq!(value(&INFO.headers[0]).as_deref(), Some("org-1"));
        assert_eq!(value(&INFO.headers[1]).as_deref(), Some("t-2"));
    }

    #[test]
    fn a_field_named_like_a_header_flag_keeps_a_flag_of_its_own() {
        let names: Vec<String> = operation_flags(&OPERATION).into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["field-header-x"]);
        assert_eq!(header_flag(&INFO.headers[0]), "header-openai-organization");
    }
}
