//! The process's heap, kept small on a small VPS, and the CPU time its measurements report.
//!
//! glibc's allocator gives each thread that allocates its own arena and keeps freed memory for
//! reuse; a server whose blocking threads each build a large wall now and then would otherwise
//! hold hundreds of megabytes it no longer uses. These calls are glibc-only and harmless to skip.

/// Allocations at least this large get their own mapping, returned to the system when freed.
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;
/// Free memory at the top of the heap beyond this goes back to the system at once.
const TRIM_THRESHOLD: libc::c_int = 256 * 1024;

/// Limits the allocator to two arenas and fixes its thresholds; call once at start, before
/// threads are spawned.
///
/// glibc raises its mmap threshold (up to 32 MiB) each time a mapped block is freed, so after
/// the first wall the large buffers of every later build (rows, rendered pages, compressed
/// bodies) would come from the heap and fragment it; fixed thresholds keep them in mappings of
/// their own, which go back to the system the moment they are freed.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's tuning; it is called before other threads.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}

/// Returns freed heap pages to the system.
pub fn return_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory the allocator holds free.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The CPU time the calling thread has used so far (zero where the clock is not available).
pub fn thread_cpu_time() -> std::time::Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec it is given and nothing else.
    let read = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    if read != 0 {
        return std::time::Duration::ZERO;
    }
    std::time::Duration::new(
        u64::try_from(now.tv_sec).unwrap_or(0),
        u32::try_from(now.tv_nsec).unwrap_or(0),
    )
}
