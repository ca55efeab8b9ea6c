//! Comparing JSON bodies by meaning rather than by bytes.

use serde_json::Value;

/// Whether two JSON values mean the same: object key order is ignored and
/// numbers compare by value (`100` equals `100.0`).
pub fn same_meaning(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_meaning(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_meaning(v, w)))
        }
        _ => a == b,
    }
}

/// The first place where two JSON values differ in meaning, as a JSON path, if any.
pub fn first_difference(a: &Value, b: &Value) -> Option<String> {
    fn walk(a: &Value, b: &Value, path: &mut String) -> Option<String> {
        match (a, b) {
            (Value::Array(x), Value::Array(y)) => {
                if x.len() != y.len() {
                    return Some(format!("{path}: array of {} items vs {}", x.len(), y.len()));
                }
                for (i, (x, y)) in x.iter().zip(y).enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    if let Some(d) = walk(x, y, path) {
                        return Some(d);
                    }
                    path.truncate(len);
                }
                None
            }
            (Value::Object(x), Value::Object(y)) => {
                for k in x.keys().chain(y.keys()) {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    match (x.get(k), y.get(k)) {
                        (Some(v), Some(w)) => {
                            if let Some(d) = walk(v, w, path) {
                                return Some(d);
                            }
                        }
                        (Some(_), None) => return Some(format!("{path}: only in the first")),
                        (None, _) => return Some(format!("{path}: only in the second")),
                    }
                    path.truncate(len);
                }
                None
            }
            _ if same_meaning(a, b) => None,
            _ => Some(format!("{path}: {a} vs {b}")),
        }
    }
    walk(a, b, &mut String::from("$"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_and_number_form_do_not_matter() {
        assert!(same_meaning(&json!({"a": 100, "b": [1, 2]}), &json!({"b": [1.0, 2], "a": 100.0})));
        assert!(!same_meaning(&json!({"a": 1}), &json!({"a": 1, "b": null})));
        assert_eq!(first_difference(&json!({"a": [1, 2]}), &json!({"a": [1, 3]})).unwrap(), "$.a[1]: 2 vs 3");
    }
}
