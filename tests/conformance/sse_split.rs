//! A recorded event stream must parse to the same events however the body is chunked.

use imagegen::runtime::{RawEvent, SseParser};

/// Bodies up to this size are re-split at every byte boundary.
pub const MAX_SPLIT_BYTES: usize = 64 * 1024;

fn parse(chunks: &[&[u8]]) -> Vec<RawEvent> {
    let mut parser = SseParser::new();
    let events: Vec<RawEvent> = chunks.iter().flat_map(|c| parser.push(c).collect::<Vec<_>>()).collect();
    // `finish` only discards an incomplete trailing event; it never yields one.
    parser.finish();
    events
}

/// The events of `body` parsed in one piece, or a description of the first split that disagrees.
pub fn check_every_split(body: &[u8]) -> Result<Vec<RawEvent>, String> {
    let whole = parse(&[body]);
    for at in 0..=body.len() {
        let split = parse(&[&body[..at], &body[at..]]);
        if split != whole {
            return Err(format!(
                "split at byte {at} of {} gives {} events, whole body {}",
                body.len(),
                split.len(),
                whole.len()
            ));
        }
    }
    let bytewise: Vec<&[u8]> = body.chunks(1).collect();
    if parse(&bytewise) != whole {
        return Err("one byte per chunk gives different events".to_string());
    }
    Ok(whole)
}
