//! Keeps the server's memory flat under a long load on glibc (Linux), the system allocator
//! Linli runs on.
//!
//! Left to its defaults, glibc gives each thread that allocates an arena of its own (up to
//! eight per core: here the tokio workers, the blocking pool and the eight SQLite connection
//! threads), and after a large block is freed it raises the size under which blocks come from
//! those arenas instead of from mappings of their own, up to 32 MiB. A month's figures or a
//! long topic is read into blocks of a few hundred KiB to a few MiB, on whichever thread runs
//! it, and once freed they stay in that thread's arena, scattered among live blocks, so the
//! resident memory only ever grows with the load's high-water mark. Under the ten-minute soak
//! (BENCHMARKS.md) the RSS went from 50 to 74 MiB and was still climbing.
//!
//! Two settings fix it: two arenas at most, and a fixed 128 KiB threshold above which every
//! block is a mapping of its own, returned to the system as soon as it is freed. With them the
//! same soak's own memory fell to about 14 MiB, at the same latency (and to a flat 9.5 MiB once
//! SQLite read through a mapping of the file, `db.rs`). A `MALLOC_ARENA_MAX` or
//! `MALLOC_MMAP_THRESHOLD_` set in the environment is the operator's choice and wins.

/// Applies the settings; call it first thing in `main`, before any thread is started.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            // SAFETY: mallopt only changes the allocator's parameters; no thread allocates yet.
            unsafe { libc::mallopt(libc::M_ARENA_MAX, 2) };
        }
        if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
            // SAFETY: as above.
            unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024) };
        }
    }
}
