//! Anonymous memory mappings: the rate limiter's table lives in one.
//!
//! A `MAP_SHARED` mapping made before `fork()` is the *same* memory in the
//! parent and every child; this is how APCu, OPcache and nginx's
//! `limit_req_zone` share state between worker processes. PHP-FPM's master
//! and Apache's prefork parent run module start-up before forking, so a
//! mapping made there is seen by every worker. A `MAP_PRIVATE` mapping is
//! copied on write at `fork()`: each process ends up with its own table.
//!
//! Both start zero-filled and cost no physical memory until touched.

use std::io;
use std::ptr::NonNull;

/// Whether processes forked after the mapping share it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// `MAP_SHARED`: one memory for this process and every child forked later.
    AcrossFork,
    /// `MAP_PRIVATE`: each process (after fork) has its own copy.
    ThisProcess,
}

/// A zero-filled, page-aligned, read-write anonymous mapping, unmapped on drop.
#[derive(Debug)]
pub struct Mapping {
    start: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory owned by this value; what is stored in
// it (atomics) decides how threads may touch it.
unsafe impl Send for Mapping {}
unsafe impl Sync for Mapping {}

impl Mapping {
    pub fn anonymous(len: usize, sharing: Sharing) -> io::Result<Mapping> {
        if len == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty mapping"));
        }
        let visibility = match sharing {
            Sharing::AcrossFork => libc::MAP_SHARED,
            Sharing::ThisProcess => libc::MAP_PRIVATE,
        };
        // SAFETY: a fresh anonymous mapping aliases nothing.
        let addr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                visibility | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if addr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let start = NonNull::new(addr.cast::<u8>()).ok_or_else(|| io::Error::other("mmap returned null"))?;
        Ok(Mapping { start, len })
    }

    pub fn as_ptr(&self) -> *mut u8 {
        self.start.as_ptr()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly what `anonymous` mapped; no reference into
        // it outlives `self` (the table borrows it).
        unsafe {
            libc::munmap(self.start.as_ptr().cast(), self.len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_in_child_then_read(sharing: Sharing) -> u8 {
        let m = Mapping::anonymous(4096, sharing).unwrap();
        // SAFETY: fork in a test; the child only writes one byte and _exits.
        unsafe {
            match libc::fork() {
                0 => {
                    *m.as_ptr() = 42;
                    libc::_exit(0);
                }
                -1 => panic!("fork failed"),
                child => {
                    let mut status = 0;
                    libc::waitpid(child, &mut status, 0);
                    *m.as_ptr()
                }
            }
        }
    }

    #[test]
    fn a_shared_mapping_is_the_same_memory_after_fork() {
        assert_eq!(write_in_child_then_read(Sharing::AcrossFork), 42);
    }

    #[test]
    fn a_private_mapping_is_copied_at_fork() {
        assert_eq!(write_in_child_then_read(Sharing::ThisProcess), 0);
    }

    #[test]
    fn mappings_start_zeroed_and_page_aligned() {
        let m = Mapping::anonymous(10_000, Sharing::ThisProcess).unwrap();
        assert_eq!(m.as_ptr() as usize % 4096, 0);
        // SAFETY: reading the mapping we own.
        let bytes = unsafe { std::slice::from_raw_parts(m.as_ptr(), m.len()) };
        assert!(bytes.iter().all(|&b| b == 0));
    }
}
