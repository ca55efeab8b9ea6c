//! The generation record: what the generator last produced, and from which inputs,
//! kept beside the xtask binary (in the target directory, never in the repository).
//!
//! Running the generator (load, check, lower, emit, format) takes about a quarter of a
//! second in the dev profile, most of it `syn` parsing the emitted tokens; confirming
//! that the files on disk are still what it would produce takes a few milliseconds when
//! nothing it reads has changed. The record holds a key (a hash of the running binary's
//! identity and of every input the generator reads) and the path, length and content
//! hash of every file it produced.
//!
//! A record is trusted only when its own checksum holds, its key is the key of the
//! inputs now, and every recorded file on disk has the recorded length and hash. Any
//! doubt (no record, an unreadable or corrupt one, other inputs, another binary, a file
//! that differs) means running the generator as before, so the record can cost time but
//! never change an answer: it can only say "fresh", and it says so only of bytes it has
//! just hashed. It is written only after a generation whose inputs were the same before
//! and after it ran.

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

use imagegen_codegen::GeneratedFile;

/// The first line of a record; a new layout gets a new number.
const HEADER: &str = "imagegen xtask generation record 1";

/// A 128-bit content hash: two SipHash-1-3 runs told apart by their first byte. The
/// record is read only by the binary that wrote it (its identity is part of the key),
/// so the hash need not be stable across Rust versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest(u64, u64);

impl Digest {
    fn of(bytes: &[u8]) -> Digest {
        let mut hasher = DigestBuilder::new();
        hasher.bytes(bytes);
        hasher.finish()
    }

    fn to_hex(self) -> String {
        format!("{:016x}{:016x}", self.0, self.1)
    }

    fn from_hex(text: &str) -> Option<Digest> {
        if text.len() != 32 || !text.is_ascii() {
            return None;
        }
        let (high, low) = text.split_at(16);
        Some(Digest(u64::from_str_radix(high, 16).ok()?, u64::from_str_radix(low, 16).ok()?))
    }
}

/// Hashes a sequence of byte strings into a [`Digest`]; each is length-prefixed, so
/// `["ab", "c"]` and `["a", "bc"]` differ.
pub struct DigestBuilder {
    first: DefaultHasher,
    second: DefaultHasher,
}

impl DigestBuilder {
    pub fn new() -> DigestBuilder {
        let (mut first, mut second) = (DefaultHasher::new(), DefaultHasher::new());
        first.write_u8(0);
        second.write_u8(1);
        DigestBuilder { first, second }
    }

    pub fn bytes(&mut self, bytes: &[u8]) {
        for hasher in [&mut self.first, &mut self.second] {
            hasher.write_usize(bytes.len());
            hasher.write(bytes);
        }
    }

    pub fn finish(&self) -> Digest {
        Digest(self.first.finish(), self.second.finish())
    }
}

impl Default for DigestBuilder {
    fn default() -> Self {
        DigestBuilder::new()
    }
}

/// The running binary's identity: its path, length, modification time and (on Unix)
/// device and inode. Every build that changes the generator writes a new binary, so a
/// record from another build never matches; `None` when the binary cannot be found.
pub fn running_binary() -> Option<Vec<u8>> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    let mut identity =
        format!("{}\n{}\n{}.{:09}", exe.display(), meta.len(), modified.as_secs(), modified.subsec_nanos());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        identity.push_str(&format!("\n{}:{}", meta.dev(), meta.ino()));
    }
    Some(identity.into_bytes())
}

/// Where `cargo xtask` keeps its record: beside its own binary, so in the target
/// directory that built it.
pub fn beside_running_binary() -> Option<PathBuf> {
    Some(std::env::current_exe().ok()?.parent()?.join("xtask-generation.record"))
}

/// One produced file as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedFile {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    len: u64,
    digest: Digest,
}

/// What one generation produced from inputs whose key is `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub key: Digest,
    pub files: Vec<RecordedFile>,
}

impl Record {
    /// The record of `files`, produced from inputs whose key is `key`.
    pub fn of(key: Digest, files: &[GeneratedFile]) -> Record {
        let files = files
            .iter()
            .map(|f| RecordedFile {
                path: f.path.clone(),
                len: f.contents.len() as u64,
                digest: Digest::of(f.contents.as_bytes()),
            })
            .collect();
        Record { key, files }
    }

    /// Whether every recorded file under `root` has the recorded length and content hash.
    pub fn matches_disk(&self, root: &Path) -> bool {
        self.files.iter().all(|f| {
            let path = root.join(&f.path);
            std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() == f.len)
                && std::fs::read(&path).is_ok_and(|bytes| Digest::of(&bytes) == f.digest)
        })
    }

    /// The record as text, ending in a checksum of everything before it; `None` when a
    /// path cannot be written on one line of UTF-8 (such a generation is not recorded).
    pub fn to_text(&self) -> Option<String> {
        let mut text = format!("{HEADER}\nkey {}\n", self.key.to_hex());
        for f in &self.files {
            let path = f.path.to_str().filter(|p| !p.contains(['\n', '\r']) && !p.is_empty())?;
            text.push_str(&format!("file {} {} {path}\n", f.digest.to_hex(), f.len));
        }
        text.push_str(&format!("sum {}\n", Digest::of(text.as_bytes()).to_hex()));
        Some(text)
    }

    /// Reads a record written by [`Record::to_text`]; `None` for anything else,
    /// including a record whose checksum does not hold.
    pub fn from_text(text: &str) -> Option<Record> {
        let body_end = text.trim_end_matches('\n').rfind('\n')? + 1;
        let (body, sum_line) = text.split_at(body_end);
        let sum = Digest::from_hex(sum_line.strip_prefix("sum ")?.strip_suffix('\n')?)?;
        if Digest::of(body.as_bytes()) != sum {
            return None;
        }
        let mut lines = body.lines();
        if lines.next()? != HEADER {
            return None;
        }
        let key = Digest::from_hex(lines.next()?.strip_prefix("key ")?)?;
        let mut files = Vec::new();
        for line in lines {
            let mut fields = line.strip_prefix("file ")?.splitn(3, ' ');
            let digest = Digest::from_hex(fields.next()?)?;
            let len = fields.next()?.parse().ok()?;
            let path = PathBuf::from(fields.next().filter(|p| !p.is_empty())?);
            files.push(RecordedFile { path, len, digest });
        }
        Some(Record { key, files })
    }

    /// Reads the record at `path`; `None` when there is none or it is not a record.
    pub fn read(path: &Path) -> Option<Record> {
        Record::from_text(&std::fs::read_to_string(path).ok()?)
    }

    /// Writes the record at `path` through a temporary file and a rename, so a reader
    /// sees the old record or the new one, never half of one. Failing to write costs
    /// the next run its shortcut and nothing else, so callers may ignore the error.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = self.to_text().ok_or_else(|| std::io::Error::other("a path cannot be recorded"))?;
        let temporary = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&temporary, text)?;
        std::fs::rename(&temporary, path).inspect_err(|_| {
            let _ = std::fs::remove_file(&temporary);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile { path: path.into(), contents: contents.into() }
    }

    fn sample() -> Record {
        let mut key = DigestBuilder::new();
        key.bytes(b"inputs");
        Record::of(key.finish(), &[file("generated/src/lib.rs", "pub mod a;\n"), file("specs/x y.json", "{}\n")])
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let record = sample();
        let text = record.to_text().expect("plain paths");
        assert_eq!(Record::from_text(&text), Some(record));
    }

    #[test]
    fn any_changed_byte_makes_the_record_unreadable() {
        let text = sample().to_text().expect("plain paths");
        for at in 0..text.len() {
            let mut bytes = text.clone().into_bytes();
            bytes[at] ^= 0x01;
            let Ok(corrupt) = String::from_utf8(bytes) else { continue };
            assert_eq!(Record::from_text(&corrupt), None, "byte {at} flipped: {corrupt:?}");
        }
    }

    #[test]
    fn a_truncated_or_foreign_record_is_refused() {
        let text = sample().to_text().expect("plain paths");
        for end in 0..text.len() {
            assert_eq!(Record::from_text(&text[..end]), None, "cut at {end}");
        }
        assert_eq!(Record::from_text(""), None);
        assert_eq!(Record::from_text(&text.replace(HEADER, "imagegen xtask generation record 0")), None);
    }

    #[test]
    fn a_path_that_would_break_the_line_is_not_recorded() {
        let record = Record::of(Digest(1, 2), &[file("a\nb.rs", "")]);
        assert_eq!(record.to_text(), None);
    }

    #[test]
    fn disk_matches_only_the_recorded_bytes() {
        let dir = std::env::temp_dir().join(format!("xtask-record-test-{}", std::process::id()));
        let files = [file("a/one.rs", "fn one() {}\n"), file("two.rs", "fn two() {}\n")];
        for f in &files {
            std::fs::create_dir_all(dir.join(&f.path).parent().unwrap()).unwrap();
            std::fs::write(dir.join(&f.path), &f.contents).unwrap();
        }
        let record = Record::of(Digest(0, 0), &files);
        assert!(record.matches_disk(&dir));

        // Same length, one byte different.
        std::fs::write(dir.join("two.rs"), "fn owt() {}\n").unwrap();
        assert!(!record.matches_disk(&dir));
        std::fs::remove_file(dir.join("two.rs")).unwrap();
        assert!(!record.matches_disk(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn written_records_replace_each_other_whole() {
        let dir = std::env::temp_dir().join(format!("xtask-record-write-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("xtask-generation.record");
        let first = sample();
        first.write(&path).unwrap();
        let second = Record::of(Digest(3, 4), &[file("b.rs", "")]);
        second.write(&path).unwrap();
        assert_eq!(Record::read(&path), Some(second));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file is left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
