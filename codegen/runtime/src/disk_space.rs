//! Disk space reserved for an image file before its bytes are written.
//!
//! On ext4, writing 18 MB into a new file costs about 4 ms in 64 KiB slices, and about
//! 2.9 ms when the file's blocks are reserved first with one `fallocate` (the kernel
//! maps the blocks once instead of allocating them page by page as the writes come;
//! figures in `tests/benches/BENCHMARKS.md`). Reserving is only done where it is
//! bookkeeping: on ext4, XFS and btrfs it marks extents as allocated without touching
//! their data, while on tmpfs it would allocate (and clear) memory, which made the
//! same write slower. Everywhere else, and off Linux, [`Reserver::new`] reserves
//! nothing and the file grows as it is written, as before.
//!
//! A reservation only ever makes a write faster: one that fails (a full disk, a
//! filesystem without `fallocate`) is ignored and the file is written as usual.

use std::fs::File;

/// The most one reservation adds: a file being written never holds more than this
/// of disk it may not need (an answer's length bounds its first image's, so with four
/// images the first file's estimate is four times its size).
const MOST_AHEAD: u64 = 256 << 20;

/// Reserves a file's blocks ahead of its writes, where that is cheap.
#[derive(Debug)]
pub(crate) struct Reserver {
    /// Whether the file's filesystem reserves blocks without touching their data.
    cheap: bool,
    /// The file's length the reservations have reached (its blocks up to there are
    /// allocated; the file is at least this long until [`Reserver::trim`]).
    reserved: u64,
    /// A reservation was asked for: one that failed half way may still have grown
    /// the file, so [`Reserver::trim`] sets its length.
    asked: bool,
}

impl Reserver {
    /// A reserver for the new, empty `file`.
    pub(crate) fn new(file: &File) -> Self {
        Self { cheap: reserving_is_cheap(file), reserved: 0, asked: false }
    }

    /// Makes sure blocks are reserved for the file's first `len` bytes (at most
    /// [`MOST_AHEAD`] past what is reserved: an estimate from a large body's length is
    /// not taken whole). The file may then be longer than what is written:
    /// [`Reserver::trim`] sets its final length.
    pub(crate) fn reserve(&mut self, file: &File, len: u64) {
        let len = len.min(self.reserved.saturating_add(MOST_AHEAD));
        if !self.cheap || len <= self.reserved {
            return;
        }
        self.asked = true;
        if allocate(file, self.reserved, len - self.reserved) {
            self.reserved = len;
        } else {
            // A full disk or a filesystem that refuses: the writes grow the file.
            self.cheap = false;
        }
    }

    /// Reserves ahead of a write that reaches `len` bytes: at least twice what is
    /// reserved, so a file whose length was not known takes few reservations.
    pub(crate) fn reserve_ahead(&mut self, file: &File, len: u64) {
        if len > self.reserved {
            self.reserve(file, len.max(self.reserved.saturating_mul(2)).max(1 << 20));
        }
    }

    /// Sets the file's final length once `written` bytes are in it, cutting the
    /// blocks reserved beyond them.
    pub(crate) fn trim(&self, file: &File, written: u64) -> std::io::Result<()> {
        if self.asked {
            file.set_len(written)?;
        }
        Ok(())
    }
}

/// Reserves `file`'s blocks for `len` bytes from `offset`, extending its length.
#[cfg(target_os = "linux")]
fn allocate(file: &File, offset: u64, len: u64) -> bool {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (libc::off_t::try_from(offset), libc::off_t::try_from(len)) else {
        return false;
    };
    // SAFETY: `fallocate` reads no memory of ours; the descriptor is `file`'s, open
    // for writing and alive for the call.
    unsafe { libc::fallocate(file.as_raw_fd(), 0, offset, len) == 0 }
}

#[cfg(not(target_os = "linux"))]
fn allocate(_file: &File, _offset: u64, _len: u64) -> bool {
    false
}

/// Whether `file` is on a filesystem whose `fallocate` only marks blocks allocated
/// (ext2/3/4, XFS, btrfs).
#[cfg(target_os = "linux")]
fn reserving_is_cheap(file: &File) -> bool {
    use std::os::fd::AsRawFd;
    let mut stat = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: `fstatfs` writes a whole `statfs` into `stat` when it returns 0; the
    // descriptor is `file`'s and alive for the call.
    if unsafe { libc::fstatfs(file.as_raw_fd(), stat.as_mut_ptr()) } != 0 {
        return false;
    }
    // SAFETY: initialized by the successful call above.
    let kind = unsafe { stat.assume_init() }.f_type;
    // The magic numbers fit in 32 bits; `f_type`'s width differs between targets.
    [libc::EXT4_SUPER_MAGIC as u32, libc::XFS_SUPER_MAGIC as u32, libc::BTRFS_SUPER_MAGIC as u32]
        .contains(&(kind as u32))
}

#[cfg(not(target_os = "linux"))]
fn reserving_is_cheap(_file: &File) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_file_written_after_reserving_has_exactly_its_bytes() {
        let dir = std::env::temp_dir().join(format!("imagegen-disk-space-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("reserved.bin");
        let _ = std::fs::remove_file(&path);
        let mut file = File::options().write(true).create_new(true).open(&path).unwrap();
        let mut reserver = Reserver::new(&file);
        // Reserved for far more than is written, then grown past what was reserved.
        reserver.reserve(&file, 3 << 20);
        if reserver.cheap {
            assert_eq!(file.metadata().unwrap().len(), 3 << 20, "the reservation grew the file");
        }
        let bytes: Vec<u8> = (0..5_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut written = 0;
        for slice in bytes.chunks(64 * 1024) {
            written += slice.len() as u64;
            reserver.reserve_ahead(&file, written);
            file.write_all(slice).unwrap();
        }
        reserver.trim(&file, bytes.len() as u64).unwrap();
        drop(file);
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_estimate_far_past_the_image_reserves_at_most_most_ahead() {
        let dir = std::env::temp_dir().join(format!("imagegen-disk-space-cap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("capped.bin");
        let _ = std::fs::remove_file(&path);
        let file = File::options().write(true).create_new(true).open(&path).unwrap();
        let mut reserver = Reserver::new(&file);
        reserver.reserve(&file, 1 << 40);
        let len = file.metadata().unwrap().len();
        assert!(len <= MOST_AHEAD, "a terabyte estimate reserved {len} bytes");
        if reserver.cheap {
            assert_eq!(len, MOST_AHEAD);
        }
        reserver.trim(&file, 0).unwrap();
        assert_eq!(file.metadata().unwrap().len(), 0, "trimmed to what was written");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
