//! A JSON body whose images are decoded while its bytes arrive.
//!
//! [`StreamingBody`] watches the JSON text chunk by chunk, tracking only whether it
//! is inside a string (and an escape); no parse. A string that grows past
//! [`LONG_STRING`] and is canonical base64 so far is decoded from then on as its
//! text arrives, into a buffer of its own, and its text is dropped: in the JSON
//! kept it becomes a short reference that [`Base64Data`](super::Base64Data)'s
//! `Deserialize` resolves to the decoded bytes ([`from_arrived`](super::json_body::from_arrived)).
//! So a 4K image response costs the decoded image and a few hundred bytes of JSON,
//! and its decoding is done when the last byte arrives.
//!
//! Nothing is lost: a string is taken only while it is *canonical* base64 (one
//! alphabet, padding only at the end, zero trailing bits, `/` always or never
//! written `\/`), which encodes back to exactly the text received. A string that
//! turns out to be anything else is put back as text (its decoded prefix encoded
//! again) and stays in the JSON; [`ArrivedBody::into_bytes`] rebuilds the body
//! byte for byte, for error reports and for the rare answer the references do not fit.

use bytes::{Bytes, BytesMut};

use super::save_as_arrived::ImageWriter;

/// Strings at least this long are candidates: shorter ones cost little to decode
/// after the body is in, and keeping them as text keeps the JSON kept small.
pub const LONG_STRING: usize = 64 * 1024;

/// Bodies announced at most this long are kept whole, and one that turns out no
/// longer is rebuilt whole: a 2xx body this small is probed for an error envelope
/// (`ErrorEnvelope::in_success_body` reads bodies up to 1 MiB), which needs its text.
pub const WHOLE_BODY_MAX: usize = 1 << 20;

/// What a reference in the kept JSON starts with; `@` and `:` are not base64.
const REFERENCE_PREFIX: &[u8] = b"@imagegen-image:";

/// A JSON body being received: feed it every chunk with [`push`](Self::push), then
/// [`finish`](Self::finish).
pub struct StreamingBody {
    /// The JSON text so far, each taken string replaced by its reference.
    text: BytesMut,
    state: State,
    images: Vec<ArrivedImage>,
    /// Makes references unguessable, so no text a server sends can pass for one.
    nonce: u64,
    /// Bytes received so far.
    received: usize,
    /// The announced length (`Content-Length`), when there was one.
    expected: Option<usize>,
    /// Whether strings may be taken at all (not for a body announced small).
    take_strings: bool,
    /// Writes each string decoded to disk as it is decoded, when the caller asked.
    writer: Option<ImageWriter>,
}

/// Where the scanner is in the JSON text.
enum State {
    /// Between strings.
    Outside,
    /// In a string kept as text from `start` in `text`.
    Text {
        start: usize,
        /// The last byte kept is a backslash whose escaped character has not arrived.
        escaped: bool,
        /// Whether the string may still be taken as base64.
        candidate: bool,
    },
    /// In a long base64 string being decoded.
    Image(Decoding),
}

/// One decoded string: its bytes, where its reference lies and how its text was written.
#[derive(Debug, Clone)]
pub struct ArrivedImage {
    bytes: Bytes,
    /// The reference's range in the kept text (inside the quotes).
    at: std::ops::Range<usize>,
    form: Form,
}

impl ArrivedImage {
    /// The decoded bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The text the server sent for these bytes, exactly.
    fn text(&self) -> Vec<u8> {
        self.form.encode(&self.bytes)
    }
}

/// A received body: the JSON text with a reference in place of each decoded string,
/// and the decoded strings.
#[derive(Debug, Clone)]
pub struct ArrivedBody {
    text: Bytes,
    images: Vec<ArrivedImage>,
    nonce: u64,
    received: usize,
}

impl ArrivedBody {
    /// A body received whole, nothing taken out.
    pub fn whole(body: Bytes) -> Self {
        let received = body.len();
        Self { text: body, images: Vec::new(), nonce: 0, received }
    }

    /// Whether every string is still in the text (the body as received).
    pub fn is_whole(&self) -> bool {
        self.images.is_empty()
    }

    /// The number of bytes received.
    pub fn received_len(&self) -> usize {
        self.received
    }

    /// The JSON text kept: the body itself when it is whole, else with references.
    pub fn text(&self) -> &Bytes {
        &self.text
    }

    /// The decoded strings, in the order they appear.
    pub fn images(&self) -> &[ArrivedImage] {
        &self.images
    }

    /// The body exactly as received: each reference replaced by the text it stands for.
    pub fn into_bytes(self) -> Bytes {
        if self.images.is_empty() {
            return self.text;
        }
        let mut body = Vec::with_capacity(self.received);
        let mut copied = 0;
        for image in &self.images {
            body.extend_from_slice(&self.text[copied..image.at.start]);
            body.extend_from_slice(&image.text());
            copied = image.at.end;
        }
        body.extend_from_slice(&self.text[copied..]);
        debug_assert_eq!(body.len(), self.received, "a rebuilt body is the body received");
        Bytes::from(body)
    }

    /// The text of the reference to image `index`.
    pub(crate) fn reference(nonce: u64, index: usize) -> String {
        format!("{}{nonce:016x}:{index}", std::str::from_utf8(REFERENCE_PREFIX).unwrap_or_default())
    }

    /// The nonce its references carry.
    pub(crate) fn nonce(&self) -> u64 {
        self.nonce
    }
}

/// The image a reference names, if `text` is a reference of the body with `nonce`.
pub(crate) fn reference_index(text: &[u8], nonce: u64) -> Option<usize> {
    let rest = text.strip_prefix(REFERENCE_PREFIX)?;
    let (hex, index) = rest.split_at_checked(16)?;
    let index = index.strip_prefix(b":")?;
    let parsed = u64::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
    (parsed == nonce).then(|| std::str::from_utf8(index).ok()?.parse().ok())?
}

/// Whether `text` could be a reference at all (cheap: length and prefix).
pub(crate) fn looks_like_reference(text: &[u8]) -> bool {
    text.len() < 64 && text.starts_with(REFERENCE_PREFIX)
}

impl StreamingBody {
    /// A body of `expected` bytes when the server announced its length.
    pub fn new(expected: Option<usize>) -> Self {
        let take_strings = expected.is_none_or(|len| len > WHOLE_BODY_MAX);
        // The kept text of an image answer is small: only a body kept whole gets its full size.
        let capacity = match expected {
            Some(len) if !take_strings => len,
            Some(len) => len.min(2 * LONG_STRING),
            None => 16 * 1024,
        };
        Self {
            text: BytesMut::with_capacity(capacity),
            state: State::Outside,
            images: Vec::new(),
            nonce: fastrand::u64(..),
            received: 0,
            expected,
            take_strings,
            writer: None,
        }
    }

    /// Writes each image to disk as it is decoded ([`ImageWriter`]).
    pub(crate) fn write_images(mut self, writer: Option<ImageWriter>) -> Self {
        self.writer = writer;
        self
    }

    /// Bytes received so far.
    pub fn received_len(&self) -> usize {
        self.received
    }

    /// Takes the next chunk of the body.
    pub fn push(&mut self, chunk: &[u8]) {
        self.received += chunk.len();
        let mut rest = chunk;
        while !rest.is_empty() {
            let taken = match &mut self.state {
                State::Outside => match memchr::memchr(b'"', rest) {
                    Some(quote) => {
                        self.text.extend_from_slice(&rest[..=quote]);
                        let start = self.text.len();
                        self.state = State::Text { start, escaped: false, candidate: self.take_strings };
                        quote + 1
                    }
                    None => {
                        self.text.extend_from_slice(rest);
                        rest.len()
                    }
                },
                State::Text { .. } => self.push_text(rest),
                State::Image(_) => self.push_image(rest),
            };
            rest = &rest[taken..];
        }
        if let State::Image(decoding) = &mut self.state {
            if decoding.flush().is_err() {
                self.give_up(&[]);
            } else if let Some(writer) = &mut self.writer {
                writer.write(&decoding.bytes, false);
            }
        }
    }

    /// In a string kept as text: copies up to its end or the next escape, and
    /// starts decoding once a candidate is long enough. Returns the bytes taken.
    fn push_text(&mut self, rest: &[u8]) -> usize {
        let State::Text { start, escaped, candidate } = &mut self.state else { return 0 };
        if *escaped {
            self.text.extend_from_slice(&rest[..1]);
            *escaped = false;
            return 1;
        }
        let (start, candidate) = (*start, *candidate);
        let end = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
        self.text.extend_from_slice(&rest[..end]);
        if candidate && self.text.len() - start >= LONG_STRING {
            self.begin_image(start, rest.len() - end);
            if matches!(self.state, State::Image(_)) {
                // The quote or escape that stopped the copy is the decoder's to read.
                return end;
            }
        }
        let State::Text { escaped, .. } = &mut self.state else { return end };
        match rest.get(end) {
            None => rest.len(),
            Some(&quote @ b'"') => {
                self.text.extend_from_slice(&[quote]);
                self.state = State::Outside;
                end + 1
            }
            Some(&backslash) => {
                self.text.extend_from_slice(&[backslash]);
                *escaped = true;
                end + 1
            }
        }
    }

    /// Tries to take the string kept as text from `start` as base64; `ahead` is how
    /// many bytes of the current chunk are still to come.
    fn begin_image(&mut self, start: usize, ahead: usize) {
        let received_text = self.text.len() - start;
        // Room for the whole string when the body's length is known: the rest of the
        // body is an upper bound of the rest of the string.
        let capacity = match self.expected {
            Some(len) => (received_text + ahead + len.saturating_sub(self.received)) / 4 * 3 + 3,
            None => received_text / 2 * 3,
        };
        let mut decoding = Decoding::new(start, capacity);
        let text = &self.text[start..];
        match decoding.take(text) {
            Took::All if !decoding.backslash => {
                self.text.truncate(start);
                if let Some(writer) = &mut self.writer {
                    writer.begin(&decoding.bytes, capacity);
                }
                self.state = State::Image(decoding);
            }
            _ => self.state = State::Text { start, escaped: false, candidate: false },
        }
    }

    /// In a string being decoded. Returns the bytes taken.
    fn push_image(&mut self, rest: &[u8]) -> usize {
        let State::Image(decoding) = &mut self.state else { return 0 };
        match decoding.take(rest) {
            Took::All => rest.len(),
            Took::End(quote) => {
                let start = decoding.start;
                match decoding.close() {
                    Ok(image) => {
                        if let Some(writer) = &mut self.writer {
                            writer.close(&image.0);
                        }
                        let index = self.images.len();
                        self.text.extend_from_slice(ArrivedBody::reference(self.nonce, index).as_bytes());
                        let at = start..self.text.len();
                        self.images.push(ArrivedImage { bytes: image.0, at, form: image.1 });
                        self.text.extend_from_slice(b"\"");
                        self.state = State::Outside;
                        quote + 1
                    }
                    // The closing quote is read again as the end of a text string.
                    Err(()) => {
                        self.give_up(&[]);
                        quote
                    }
                }
            }
            Took::NotBase64 { from, to } => {
                self.give_up(&rest[from..to]);
                to
            }
        }
    }

    /// Puts the string being decoded back as text (its exact original), followed by
    /// `raw` (received text not taken), and goes on with it as a text string.
    fn give_up(&mut self, raw: &[u8]) {
        let State::Image(decoding) = std::mem::replace(&mut self.state, State::Outside) else { return };
        if let Some(writer) = &mut self.writer {
            writer.abandon();
        }
        let start = decoding.start;
        let escaped = decoding.backslash;
        decoding.write_text(&mut self.text);
        self.text.extend_from_slice(raw);
        self.state = State::Text { start, escaped, candidate: false };
    }

    /// The body received. A body announced or found to be small comes back whole.
    pub fn finish(self) -> ArrivedBody {
        self.finish_writing().0
    }

    /// [`Self::finish`], and the writer of its images (to [`ImageWriter::finish`]).
    pub(crate) fn finish_writing(mut self) -> (ArrivedBody, Option<ImageWriter>) {
        if matches!(self.state, State::Image(_)) {
            // The body ended inside a string: invalid JSON, reported from the text.
            self.give_up(&[]);
        }
        let body =
            ArrivedBody { text: self.text.freeze(), images: self.images, nonce: self.nonce, received: self.received };
        if !body.images.is_empty() && body.received <= WHOLE_BODY_MAX {
            return (ArrivedBody::whole(body.into_bytes()), self.writer);
        }
        (body, self.writer)
    }
}

/// How a base64 string was written, so that its bytes encode back to its text exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Form {
    alphabet: Alphabet,
    slashes: Slashes,
    /// The text ended without `=` padding (only when its length asked for some).
    unpadded: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Alphabet {
    /// Nothing seen yet that tells the two apart.
    #[default]
    Either,
    Standard,
    UrlSafe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Slashes {
    /// No `/` seen yet.
    #[default]
    Either,
    /// `/` as is.
    Raw,
    /// Every `/` written `\/` (PHP's default).
    Escaped,
}

impl Form {
    fn engine(self) -> &'static base64_simd::Base64 {
        match (self.alphabet, self.unpadded) {
            (Alphabet::UrlSafe, false) => &base64_simd::URL_SAFE,
            (Alphabet::UrlSafe, true) => &base64_simd::URL_SAFE_NO_PAD,
            (_, false) => &base64_simd::STANDARD,
            (_, true) => &base64_simd::STANDARD_NO_PAD,
        }
    }

    /// The text these bytes were received as.
    fn encode(self, bytes: &[u8]) -> Vec<u8> {
        let mut text = Vec::with_capacity(self.engine().encoded_length(bytes.len()));
        self.engine().encode_append(bytes, &mut text);
        self.escape(text)
    }

    /// Writes `/` as `\/` when the server did.
    fn escape(self, text: Vec<u8>) -> Vec<u8> {
        if self.slashes != Slashes::Escaped || memchr::memchr(b'/', &text).is_none() {
            return text;
        }
        let mut escaped = Vec::with_capacity(text.len() + text.len() / 32);
        for &b in &text {
            if b == b'/' {
                escaped.push(b'\\');
            }
            escaped.push(b);
        }
        escaped
    }
}

/// What [`Decoding::take`] did with its input.
enum Took {
    /// Took every byte; the string goes on.
    All,
    /// The string ends at the quote at this index; the bytes before it were taken.
    End(usize),
    /// The string is not canonical base64: bytes before `from` were taken, those
    /// from `from` to `to` are text to keep, and the scan goes on at `to`.
    NotBase64 { from: usize, to: usize },
}

/// A long string being decoded.
struct Decoding {
    /// Where the string's text began in the kept text.
    start: usize,
    bytes: Vec<u8>,
    form: Form,
    /// Unescaped base64 characters not decoded yet: fewer than a group, or (for
    /// text with `\/`) the characters of the current chunk.
    pending: Vec<u8>,
    /// The input ended on a backslash whose escaped character is still to come.
    backslash: bool,
    /// A group with `=` was decoded: the string must end here.
    padded: bool,
}

impl Decoding {
    fn new(start: usize, capacity: usize) -> Self {
        Self {
            start,
            bytes: Vec::with_capacity(capacity),
            form: Form::default(),
            pending: Vec::new(),
            backslash: false,
            padded: false,
        }
    }

    /// Takes received text of the string, up to its closing quote.
    fn take(&mut self, input: &[u8]) -> Took {
        let mut at = 0;
        if self.backslash {
            // The escape began at the end of the previous input.
            let Some(&escaped) = input.first() else { return Took::All };
            if escaped != b'/' || !self.slash_escape() {
                return Took::NotBase64 { from: 0, to: 0 };
            }
            self.backslash = false;
            self.pending.push(b'/');
            at = 1;
        }
        loop {
            let rest = &input[at..];
            let end = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
            let run = &rest[..end];
            if self.take_run(run).is_err() {
                return Took::NotBase64 { from: at, to: at + end };
            }
            at += end;
            match input.get(at) {
                None => return Took::All,
                Some(b'"') => return Took::End(at),
                Some(_) => match input.get(at + 1) {
                    None => {
                        self.backslash = true;
                        return Took::All;
                    }
                    Some(b'/') if self.slash_escape() => {
                        self.pending.push(b'/');
                        at += 2;
                    }
                    Some(_) => return Took::NotBase64 { from: at, to: at },
                },
            }
        }
    }

    /// Whether a `\/` fits the form so far; it fixes the form to escaped slashes.
    fn slash_escape(&mut self) -> bool {
        if self.form.slashes == Slashes::Raw || self.form.alphabet == Alphabet::UrlSafe {
            return false;
        }
        self.form.slashes = Slashes::Escaped;
        self.form.alphabet = Alphabet::Standard;
        true
    }

    /// Takes a run of characters without escapes; on error nothing was taken.
    fn take_run(&mut self, run: &[u8]) -> Result<(), ()> {
        if run.is_empty() {
            return Ok(());
        }
        if self.form.slashes != Slashes::Raw
            && self.form.alphabet != Alphabet::UrlSafe
            && memchr::memchr(b'/', run).is_some()
        {
            if self.form.slashes == Slashes::Escaped {
                return Err(());
            }
            self.form.slashes = Slashes::Raw;
            self.form.alphabet = Alphabet::Standard;
        }
        if self.form.slashes == Slashes::Escaped {
            // Decoded with the rest of the chunk (`flush`): runs between `\/` are short.
            self.pending.extend_from_slice(run);
            return Ok(());
        }
        self.feed(run)
    }

    /// Decodes `run` after the pending characters (fewer than a group), keeping the
    /// characters after the last whole group. On error nothing changes.
    fn feed(&mut self, run: &[u8]) -> Result<(), ()> {
        if self.pending.len() + run.len() < 4 {
            if self.padded {
                return Err(());
            }
            self.pending.extend_from_slice(run);
            return Ok(());
        }
        let (before, padded) = (self.bytes.len(), self.padded);
        let need = (4 - self.pending.len()) % 4;
        if need > 0 {
            let mut group = [0u8; 4];
            group[..4 - need].copy_from_slice(&self.pending);
            group[4 - need..].copy_from_slice(&run[..need]);
            self.decode(&group)?;
        }
        let whole = (run.len() - need) / 4 * 4;
        if let Err(()) = self.decode(&run[need..need + whole]) {
            self.bytes.truncate(before);
            self.padded = padded;
            return Err(());
        }
        self.pending.clear();
        self.pending.extend_from_slice(&run[need + whole..]);
        Ok(())
    }

    /// Decodes the whole groups of the pending characters (text with `\/`).
    fn flush(&mut self) -> Result<(), ()> {
        if self.pending.len() < 4 {
            return Ok(());
        }
        let whole = self.pending.len() / 4 * 4;
        let pending = std::mem::take(&mut self.pending);
        let result = self.decode(&pending[..whole]);
        self.pending = pending;
        result?;
        self.pending.drain(..whole);
        Ok(())
    }

    /// Decodes whole groups, in the alphabet seen so far.
    fn decode(&mut self, groups: &[u8]) -> Result<(), ()> {
        if groups.is_empty() {
            return Ok(());
        }
        if self.padded {
            // Text after the padding.
            return Err(());
        }
        let needed = groups.len() / 4 * 3;
        if self.bytes.capacity() - self.bytes.len() < needed {
            // Length unknown: grow by doubling, not by the chunk.
            self.bytes.reserve(needed.max(self.bytes.len()));
        }
        let standard = self.form.alphabet != Alphabet::UrlSafe
            && base64_simd::STANDARD.decode_append(groups, &mut self.bytes).is_ok();
        if standard {
            if self.form.alphabet == Alphabet::Either && memchr::memchr2(b'+', b'/', groups).is_some() {
                self.form.alphabet = Alphabet::Standard;
            }
        } else if self.form.alphabet != Alphabet::Standard
            && base64_simd::URL_SAFE.decode_append(groups, &mut self.bytes).is_ok()
        {
            self.form.alphabet = Alphabet::UrlSafe;
        } else {
            return Err(());
        }
        self.padded = groups.last() == Some(&b'=');
        Ok(())
    }

    /// The string ended: decodes what is left, the bytes and how they were written.
    fn close(&mut self) -> Result<(Bytes, Form), ()> {
        self.flush()?;
        if !self.pending.is_empty() {
            // Two or three characters: the end of unpadded text.
            if self.padded || self.pending.len() == 1 {
                return Err(());
            }
            let before = self.bytes.len();
            let tail = std::mem::take(&mut self.pending);
            let engine = match self.form.alphabet {
                Alphabet::UrlSafe => &base64_simd::URL_SAFE_NO_PAD,
                _ => &base64_simd::STANDARD_NO_PAD,
            };
            let mut decoded = engine.decode_append(&tail, &mut self.bytes).is_ok();
            if !decoded && self.form.alphabet == Alphabet::Either {
                decoded = base64_simd::URL_SAFE_NO_PAD.decode_append(&tail, &mut self.bytes).is_ok();
                if decoded {
                    self.form.alphabet = Alphabet::UrlSafe;
                }
            }
            if !decoded {
                self.bytes.truncate(before);
                self.pending = tail;
                return Err(());
            }
            self.form.unpadded = true;
        }
        let mut bytes = std::mem::take(&mut self.bytes);
        // An estimate for several images in one body: give back what the others need.
        if bytes.capacity() - bytes.len() > (bytes.len() / 64).max(4096) {
            bytes.shrink_to_fit();
        }
        Ok((Bytes::from(bytes), self.form))
    }

    /// Writes the text this string was received as so far (decoded bytes encoded
    /// again, pending characters escaped again, a trailing backslash).
    fn write_text(self, text: &mut BytesMut) {
        let form = Form { unpadded: false, ..self.form };
        text.extend_from_slice(&form.encode(&self.bytes));
        text.extend_from_slice(&form.escape(self.pending));
        if self.backslash {
            text.extend_from_slice(b"\\");
        }
    }
}
