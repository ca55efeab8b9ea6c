//! Value limits of a field (ranges, lengths, item counts, steps, patterns, URL schemes, MIME types,
//! image sizes), and an operation's maximum request size: tightened or loosened. Only request-side types are checked by `validate()`, so
//! only there can a tightened limit reject a value that used to pass.

use super::change::{Area, Changes, Impact};
use crate::ir::{Constraints, ImageLimitsIr};

/// Which way a limit moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Tightened,
    Loosened,
}

/// Compares the limits of one field. `validated` says whether the field's type travels in requests.
pub fn compare(out: &mut Changes, subject: &str, old: &Constraints, new: &Constraints, validated: bool) {
    lower_bound(out, subject, "minimum", old.min, new.min, validated);
    upper_bound(out, subject, "maximum", old.max, new.max, validated);
    lower_bound(out, subject, "minimum items", old.min_items.map(to_f64), new.min_items.map(to_f64), validated);
    upper_bound(out, subject, "maximum items", old.max_items.map(to_f64), new.max_items.map(to_f64), validated);
    lower_bound(out, subject, "minimum length", old.min_length.map(to_f64), new.min_length.map(to_f64), validated);
    upper_bound(out, subject, "maximum length", old.max_length.map(to_f64), new.max_length.map(to_f64), validated);
    allowed_set(out, subject, "URL schemes", &old.schemes, &new.schemes, validated);
    allowed_set(out, subject, "MIME types", &old.mime_types, &new.mime_types, validated);
    match (&old.pattern, &new.pattern) {
        (None, Some(p)) => report(out, subject, format!("pattern `{p}` added"), Direction::Tightened, validated),
        (Some(p), None) => report(out, subject, format!("pattern `{p}` removed"), Direction::Loosened, validated),
        // Whether one pattern accepts all that another does cannot be told in general.
        (Some(a), Some(b)) if a != b => {
            report(out, subject, format!("pattern `{a}` → `{b}`"), Direction::Tightened, validated)
        }
        _ => {}
    }
    let step = |n: Option<f64>| n.map_or_else(|| "none".to_string(), |n| bound(Some(n)));
    let step_direction = match (old.multiple_of, new.multiple_of) {
        (None, Some(_)) => Some(Direction::Tightened),
        (Some(_), None) => Some(Direction::Loosened),
        // A step that divides the old one accepts every value the old one did.
        (Some(a), Some(b)) if a != b => {
            let q = a / b;
            Some(if (q - q.round()).abs() < 1e-9 { Direction::Loosened } else { Direction::Tightened })
        }
        _ => None,
    };
    if let Some(direction) = step_direction {
        let what = format!("multiple of {} → {}", step(old.multiple_of), step(new.multiple_of));
        report(out, subject, what, direction, validated);
    }
    aspect_ratios(out, subject, "aspect ratios", old.aspect_ratio.as_ref(), new.aspect_ratio.as_ref(), validated);
    image_limits(out, subject, old.image_limits.as_ref(), new.image_limits.as_ref(), validated);
    if old.allow_data_url != new.allow_data_url {
        let (what, direction) = if new.allow_data_url {
            ("now also accepts a base64 data URL", Direction::Loosened)
        } else {
            ("no longer accepts a base64 data URL", Direction::Tightened)
        };
        report(out, subject, what.to_string(), direction, validated);
    }
}

/// An operation's maximum request size (in bytes): the client refuses a larger body
/// before sending it, as `validate()` refuses a value, so a lower maximum is breaking.
pub fn request_size(out: &mut Changes, subject: &str, old: Option<u64>, new: Option<u64>) {
    let (impact, verb, reason) = match (old, new) {
        (Some(a), Some(b)) if b > a => (Impact::Compatible, "loosened", "every request sent before is still sent"),
        (Some(_), None) => (Impact::Compatible, "loosened", "every request sent before is still sent"),
        (None, Some(_)) | (Some(_), Some(_)) if old != new => {
            (Impact::Breaking, "tightened", "the client now refuses, unsent, request bodies the previous version sent")
        }
        _ => return,
    };
    let what = format!("limit {verb}: maximum request bytes {} → {}", bound(old.map(to_f64)), bound(new.map(to_f64)));
    out.record(impact, Area::Limits, subject, what, reason);
}

/// A range of aspect ratios loosens when both ends move out (or it goes), tightens when
/// either end moves in (or it appears).
fn aspect_ratios(
    out: &mut Changes,
    subject: &str,
    name: &str,
    old: Option<&(String, String)>,
    new: Option<&(String, String)>,
    validated: bool,
) {
    let shown =
        |r: Option<&(String, String)>| r.map_or_else(|| "any".to_string(), |(min, max)| format!("{min} to {max}"));
    let ratio = |text: &str| crate::spec::model::parse_aspect_ratio(text).unwrap_or(f64::NAN);
    let direction = match (old, new) {
        (None, None) => return,
        (None, Some(_)) => Direction::Tightened,
        (Some(_), None) => Direction::Loosened,
        (Some(a), Some(b)) => {
            let (min_a, max_a, min_b, max_b) = (ratio(&a.0), ratio(&a.1), ratio(&b.0), ratio(&b.1));
            if min_a == min_b && max_a == max_b {
                return;
            }
            if min_b <= min_a && max_b >= max_a {
                Direction::Loosened
            } else {
                Direction::Tightened
            }
        }
    };
    report(out, subject, format!("{name} {} → {}", shown(old), shown(new)), direction, validated);
}

/// Image size limits, compared limit by limit: each bound that moves is reported like a
/// field's range, the aspect-ratio range like a string's.
fn image_limits(
    out: &mut Changes,
    subject: &str,
    old: Option<&ImageLimitsIr>,
    new: Option<&ImageLimitsIr>,
    validated: bool,
) {
    let none = ImageLimitsIr::default();
    let (a, b) = (old.unwrap_or(&none), new.unwrap_or(&none));
    let count = |n: Option<u64>| n.map(to_f64);
    lower_bound(out, subject, "image side at least", count(a.min_side), count(b.min_side), validated);
    upper_bound(out, subject, "image side at most", count(a.max_side), count(b.max_side), validated);
    lower_bound(out, subject, "image pixels at least", count(a.min_pixels), count(b.min_pixels), validated);
    upper_bound(out, subject, "image pixels at most", count(a.max_pixels), count(b.max_pixels), validated);
    let (ratio_a, ratio_b) = (a.aspect_ratio.as_ref(), b.aspect_ratio.as_ref());
    aspect_ratios(out, subject, "image aspect ratios", ratio_a, ratio_b, validated);
}

// Limits in the IR are `u64` counts or `f64` bounds; `f64` holds every count a spec can state exactly.
fn to_f64(n: u64) -> f64 {
    n as f64
}

fn lower_bound(out: &mut Changes, subject: &str, name: &str, old: Option<f64>, new: Option<f64>, validated: bool) {
    let direction = match (old, new) {
        (None, Some(_)) => Direction::Tightened,
        (Some(_), None) => Direction::Loosened,
        (Some(a), Some(b)) if b > a => Direction::Tightened,
        (Some(a), Some(b)) if b < a => Direction::Loosened,
        _ => return,
    };
    report(out, subject, format!("{name} {} → {}", bound(old), bound(new)), direction, validated);
}

fn upper_bound(out: &mut Changes, subject: &str, name: &str, old: Option<f64>, new: Option<f64>, validated: bool) {
    let direction = match (old, new) {
        (None, Some(_)) => Direction::Tightened,
        (Some(_), None) => Direction::Loosened,
        (Some(a), Some(b)) if b < a => Direction::Tightened,
        (Some(a), Some(b)) if b > a => Direction::Loosened,
        _ => return,
    };
    report(out, subject, format!("{name} {} → {}", bound(old), bound(new)), direction, validated);
}

/// An empty list means "any", so going from empty to a list tightens and back loosens.
fn allowed_set(out: &mut Changes, subject: &str, name: &str, old: &[String], new: &[String], validated: bool) {
    let removed: Vec<&String> = old.iter().filter(|s| !new.contains(s)).collect();
    let added: Vec<&String> = new.iter().filter(|s| !old.contains(s)).collect();
    let direction = match (old.is_empty(), new.is_empty()) {
        (true, true) => return,
        (true, false) => Direction::Tightened,
        (false, true) => Direction::Loosened,
        (false, false) if !removed.is_empty() => Direction::Tightened,
        (false, false) if !added.is_empty() => Direction::Loosened,
        (false, false) => return,
    };
    report(out, subject, format!("{name} {} → {}", list(old), list(new)), direction, validated);
}

fn report(out: &mut Changes, subject: &str, what: String, direction: Direction, validated: bool) {
    let (impact, verb, reason) = match (direction, validated) {
        (Direction::Tightened, true) => {
            (Impact::Breaking, "tightened", "`validate()` now rejects values the previous version accepted")
        }
        (Direction::Tightened, false) => (
            Impact::Compatible,
            "tightened",
            "the type only travels in responses, which are not validated; only the documentation changes",
        ),
        (Direction::Loosened, _) => (Impact::Compatible, "loosened", "every value accepted before is still accepted"),
    };
    out.record(impact, Area::Limits, subject, format!("limit {verb}: {what}"), reason);
}

fn bound(v: Option<f64>) -> String {
    match v {
        None => "none".to_string(),
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        Some(v) => v.to_string(),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "any".to_string()
    } else {
        items.join(", ")
    }
}
