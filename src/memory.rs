//! The process's heap, kept small on a small VPS.
//!
//! glibc's allocator gives each thread that allocates its own arena and keeps freed memory for
//! reuse; a server whose blocking threads each build a large wall now and then would otherwise
//! hold hundreds of megabytes it no longer uses. Both calls are glibc-only and harmless to skip.

/// Limits the allocator to two arenas; call once at start, before threads are spawned.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's tuning; it is called before other threads.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
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
