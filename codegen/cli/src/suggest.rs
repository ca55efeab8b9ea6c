//! "Did you mean" for a mistyped flag or value. Clap's own suggestions need an extra
//! dependency; the runtime already has the matcher that suggests request field names,
//! so its tip is added to clap's error here and clap still renders the message.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use imagegen::runtime::dispatch::{FlagKind, OperationSpec, ProviderEntry};
use imagegen::runtime::fields::suggest;

use crate::command::{operation_flags, Target, COMMON};

/// Adds a tip to an unknown-flag or invalid-value error, when a close match exists.
pub fn improve(mut error: clap::Error, providers: &[ProviderEntry], args: &[String]) -> clap::Error {
    let invalid = match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(text)) => text.clone(),
        _ => return error,
    };
    match error.kind() {
        ErrorKind::UnknownArgument if error.get(ContextKind::SuggestedArg).is_none() => {
            let Some(typed) = invalid.strip_prefix("--") else { return error };
            let typed = typed.split_once('=').map_or(typed, |(name, _)| name);
            let flags = known_flags(providers, args);
            let names: Vec<&str> = flags.iter().map(String::as_str).collect();
            if let Some(found) = suggest(typed, &names) {
                error.insert(ContextKind::SuggestedArg, ContextValue::String(format!("--{found}")));
            }
        }
        ErrorKind::InvalidValue if error.get(ContextKind::SuggestedValue).is_none() => {
            let Some(ContextValue::String(value)) = error.get(ContextKind::InvalidValue) else { return error };
            if let Some(found) = similar_value(value, &invalid, providers, args) {
                error.insert(ContextKind::SuggestedValue, ContextValue::String(found));
            }
        }
        _ => {}
    }
    error
}

/// The operation named on the command line, if any: `imagegen <provider> <operation>`.
fn operation(providers: &[ProviderEntry], args: &[String]) -> Option<&'static OperationSpec> {
    let (at, provider) =
        args.iter().enumerate().find_map(|(i, a)| providers.iter().find(|p| p.info.name == a).map(|p| (i, p)))?;
    args[at + 1..].iter().find_map(|a| provider.operations.iter().find(|op| op.command == a))
}

fn known_flags(providers: &[ProviderEntry], args: &[String]) -> Vec<String> {
    let mut flags: Vec<String> = COMMON.iter().map(|s| s.to_string()).collect();
    if let Some(op) = operation(providers, args) {
        flags.extend(operation_flags(op).into_iter().map(|f| f.name));
    }
    flags
}

/// The documented value (or alias) closest to `value` for the flag `arg` (`--model <VALUE>`).
/// Model ids often carry a vendor prefix (`openai/gpt-image-2`), so the part after the
/// last `/` is matched too.
fn similar_value(value: &str, arg: &str, providers: &[ProviderEntry], args: &[String]) -> Option<String> {
    let name = arg.strip_prefix("--")?.split([' ', '=']).next()?;
    let op = operation(providers, args)?;
    let flag = operation_flags(op).into_iter().find(|f| f.name == name)?;
    let (Target::Field(spec) | Target::PathParam(spec)) = flag.target else { return None };
    let FlagKind::Choice { values, aliases, .. } = spec.kind else { return None };
    let mut candidates: Vec<(&str, &str)> = Vec::new();
    for full in values.iter().copied().chain(aliases.iter().filter(|a| a.deprecated.is_none()).map(|a| a.alias)) {
        candidates.push((full, full));
        if let Some((_, tail)) = full.rsplit_once('/') {
            candidates.push((tail, full));
        }
    }
    let keys: Vec<&str> = candidates.iter().map(|(key, _)| *key).collect();
    let found = suggest(value, &keys)?;
    candidates.iter().find(|(key, _)| *key == found).map(|(_, full)| full.to_string())
}
