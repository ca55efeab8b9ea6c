//! Wire paths into a JSON request, as `--set` and the operation tables write them:
//! `imageConfig.aspectRatio`, `contents[0].parts[1].text`; `[]` (every item of a
//! list) only where values are read.

use serde_json::{Map, Value};

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An object key.
    Key(String),
    /// A list index.
    Index(usize),
    /// Every item of a list (reading only).
    Each,
}

/// Parses `a.b[0].c`. Keys are wire names, so they are taken as written (no quoting).
pub fn parse(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for segment in path.split('.') {
        let (key, mut rest) = segment.split_at(segment.find('[').unwrap_or(segment.len()));
        if key.is_empty() {
            return Err(format!(
                "`{path}` has an empty name; write keys separated by `.`, as in `imageConfig.aspectRatio`"
            ));
        }
        steps.push(Step::Key(key.to_string()));
        while !rest.is_empty() {
            let Some(close) = rest.find(']') else {
                return Err(format!("`{path}` has a `[` without its `]`"));
            };
            let inside = &rest[1..close];
            steps.push(if inside.is_empty() {
                Step::Each
            } else {
                Step::Index(inside.parse().map_err(|_| format!("`[{inside}]` in `{path}` is not a list index"))?)
            });
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("`{path}`: expected `.` or `[` after `]`, found `{rest}`"));
            }
        }
    }
    Ok(steps)
}

/// Renders steps back as a path, for messages.
pub fn render(steps: &[Step]) -> String {
    let mut text = String::new();
    for step in steps {
        match step {
            Step::Key(key) if text.is_empty() => text.push_str(key),
            Step::Key(key) => {
                text.push('.');
                text.push_str(key);
            }
            Step::Index(i) => text.push_str(&format!("[{i}]")),
            Step::Each => text.push_str("[]"),
        }
    }
    text
}

/// The value at `steps`, if every step exists.
pub fn get<'a>(root: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    steps.iter().try_fold(root, |value, step| match step {
        Step::Key(key) => value.get(key.as_str()),
        Step::Index(i) => value.get(*i),
        Step::Each => None,
    })
}

/// Every value the path reaches, `[]` standing for each item of a list.
pub fn collect<'a>(root: &'a Value, steps: &[Step], out: &mut Vec<&'a Value>) {
    let Some((step, rest)) = steps.split_first() else {
        out.push(root);
        return;
    };
    match step {
        Step::Key(key) => {
            if let Some(next) = root.get(key.as_str()) {
                collect(next, rest, out);
            }
        }
        Step::Index(i) => {
            if let Some(next) = root.get(*i) {
                collect(next, rest, out);
            }
        }
        Step::Each => {
            for item in root.as_array().into_iter().flatten() {
                collect(item, rest, out);
            }
        }
    }
}

/// The value at `steps`, creating the objects and list items on the way (`null` when new).
/// An index may name an existing item or the next one, never leave a gap; a step
/// into a value of another kind (a key of a string) is refused.
pub fn entry<'a>(root: &'a mut Value, steps: &[Step]) -> Result<&'a mut Value, String> {
    let mut value = root;
    for (n, step) in steps.iter().enumerate() {
        let here = || if n == 0 { "the request".to_string() } else { format!("`{}`", render(&steps[..n])) };
        value = match step {
            Step::Key(key) => {
                if value.is_null() {
                    *value = Value::Object(Map::new());
                }
                let what = kind(value);
                match value {
                    Value::Object(map) => map.entry(key.clone()).or_insert(Value::Null),
                    _ => return Err(format!("{} is {what}, not an object with `{key}`", here())),
                }
            }
            Step::Index(i) => {
                if value.is_null() {
                    *value = Value::Array(Vec::new());
                }
                let what = kind(value);
                let Value::Array(items) = value else {
                    return Err(format!("{} is {what}, not a list", here()));
                };
                if *i > items.len() {
                    return Err(format!(
                        "{} has {} item(s); index {i} would leave a gap (use [{}])",
                        here(),
                        items.len(),
                        items.len()
                    ));
                }
                if *i == items.len() {
                    items.push(Value::Null);
                }
                &mut items[*i]
            }
            Step::Each => return Err(format!("`{}`: `[]` can only be read; name an index", render(steps))),
        };
    }
    Ok(value)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_nested_path_creates_the_objects_and_list_items_it_names() {
        let mut body = json!({"model": "m"});
        let steps = parse("contents[0].parts[0].text").unwrap();
        *entry(&mut body, &steps).unwrap() = json!("a cat");
        assert_eq!(body, json!({"model": "m", "contents": [{"parts": [{"text": "a cat"}]}]}));
        assert_eq!(get(&body, &steps), Some(&json!("a cat")));
        assert_eq!(render(&steps), "contents[0].parts[0].text");
    }

    #[test]
    fn a_gap_in_a_list_or_a_key_of_a_string_is_refused() {
        let mut body = json!({"prompt": "x", "contents": []});
        let gap = entry(&mut body, &parse("contents[2]").unwrap()).unwrap_err();
        assert!(gap.contains("`contents` has 0 item(s); index 2 would leave a gap"), "{gap}");
        let scalar = entry(&mut body, &parse("prompt.text").unwrap()).unwrap_err();
        assert!(scalar.contains("`prompt` is a string"), "{scalar}");
    }

    #[test]
    fn malformed_paths_are_refused() {
        for bad in ["", "a..b", "a[x]", "a[0", "a[0]b", "[0]"] {
            assert!(parse(bad).is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn each_item_is_read_through_brackets() {
        let body = json!({"parts": [{"text": "a"}, {"inlineData": {}}, {"text": "b"}]});
        let mut out = Vec::new();
        collect(&body, &parse("parts[].text").unwrap(), &mut out);
        assert_eq!(out, vec![&json!("a"), &json!("b")]);
    }
}
