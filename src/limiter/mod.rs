//! A rate limiter shared by every worker process of a PHP-FPM pool (or
//! Apache prefork server): GCRA state ([`gcra`]) in a fixed-size lock-free
//! table ([`table`]) in memory mapped before the workers fork ([`shm`]).
//!
//! Where no shared memory is to be had (the CLI's single process, a mapping
//! that failed, a CPU without 16-byte compare-and-swap, or shared mode
//! switched off), the same table lives in private memory instead: identical
//! semantics, but each process counts alone, and [`Limiter::mode`] says so.

pub mod gcra;
pub mod shm;
pub mod table;

use std::fmt;
use std::io;

use portable_atomic::AtomicU128;

use gcra::{decide, Decision, Quota};
use shm::Sharing;
use table::{Table, Usage, PROBE_WINDOW};

/// Slots when `hookguard.rate_limit_slots` is not set: 1 MiB of table.
pub const DEFAULT_SLOTS: usize = 65_536;
/// The most slots accepted: 1 GiB of table.
pub const MAX_SLOTS: usize = 1 << 26;
/// The fewest: one probe window.
pub const MIN_SLOTS: usize = PROBE_WINDOW;

/// Why the table is private to each process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PerProcessReason {
    /// A SAPI that serves from a single process (the CLI, phpdbg, embed).
    SingleProcessSapi(String),
    /// `hookguard.rate_limit_shared = Off`.
    SwitchedOff,
    /// 16-byte atomics on this CPU would be emulated with a process-local lock.
    NoLockFreeAtomics,
    /// `mmap(MAP_SHARED)` failed.
    MappingFailed(String),
}

impl fmt::Display for PerProcessReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SingleProcessSapi(sapi) => write!(f, "the {sapi} SAPI runs one process"),
            Self::SwitchedOff => f.write_str("hookguard.rate_limit_shared is off"),
            Self::NoLockFreeAtomics => f.write_str("this CPU has no 16-byte compare-and-swap"),
            Self::MappingFailed(why) => write!(f, "shared memory could not be mapped: {why}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One table for every process forked after start-up.
    Shared,
    /// One table per process.
    PerProcess(PerProcessReason),
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mode::Shared => f.write_str("shared by all worker processes"),
            Mode::PerProcess(why) => write!(f, "per-process ({why})"),
        }
    }
}

pub struct Limiter {
    table: Table,
    mode: Mode,
}

impl Limiter {
    /// A table every process forked from this one will share, or a private
    /// one (with the reason) when that cannot be had.
    pub fn shared(slots: usize) -> io::Result<Limiter> {
        if !AtomicU128::is_lock_free() {
            return Self::per_process(slots, PerProcessReason::NoLockFreeAtomics);
        }
        match Table::new(slots, Sharing::AcrossFork) {
            Ok(table) => Ok(Limiter { table, mode: Mode::Shared }),
            Err(e) if e.kind() == io::ErrorKind::InvalidInput => Err(e),
            Err(e) => Self::per_process(slots, PerProcessReason::MappingFailed(e.to_string())),
        }
    }

    pub fn per_process(slots: usize, why: PerProcessReason) -> io::Result<Limiter> {
        Ok(Limiter { table: Table::new(slots, Sharing::ThisProcess)?, mode: Mode::PerProcess(why) })
    }

    /// Decides a request of `cost` for `key` at `now` (see [`monotonic_nanos`]).
    pub fn check(&self, key: &[u8], quota: &Quota, cost: u64, now: u64) -> Decision {
        self.table.update(key, now, |tat| decide(quota, tat, now, cost))
    }

    /// Forgets `key`: its next request starts from a full allowance.
    pub fn reset(&self, key: &[u8]) {
        self.table.remove(key);
    }

    pub fn usage(&self, now: u64) -> Usage {
        self.table.usage(now)
    }

    pub fn mode(&self) -> &Mode {
        &self.mode
    }
}

/// Why a `hookguard.rate_limit_slots` value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadSlotCount;

impl fmt::Display for BadSlotCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "must be a whole number from {MIN_SLOTS} to {MAX_SLOTS}")
    }
}

/// Parses `hookguard.rate_limit_slots`; unset means [`DEFAULT_SLOTS`].
pub fn parse_slot_count(setting: Option<&str>) -> Result<usize, BadSlotCount> {
    let Some(text) = setting.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(DEFAULT_SLOTS);
    };
    text.parse::<usize>().ok().filter(|n| (MIN_SLOTS..=MAX_SLOTS).contains(n)).ok_or(BadSlotCount)
}

/// Nanoseconds on the system-wide monotonic clock: the same reading in
/// every process of the host, and never stepped by NTP or an admin.
pub fn monotonic_nanos() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes the timespec it is given; CLOCK_MONOTONIC
    // exists on every Linux and BSD.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    // The table reads 0 as "never seen"; no real reading is that early.
    (ts.tv_sec as u64 * gcra::NANOS_PER_SECOND + ts.tv_nsec as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_count_setting() {
        assert_eq!(parse_slot_count(None), Ok(DEFAULT_SLOTS));
        assert_eq!(parse_slot_count(Some("")), Ok(DEFAULT_SLOTS));
        assert_eq!(parse_slot_count(Some(" 1024 ")), Ok(1024));
        assert_eq!(parse_slot_count(Some("16")), Ok(16));
        for bad in ["15", "0", "-1", "64k", "1e6", "67108865"] {
            assert_eq!(parse_slot_count(Some(bad)), Err(BadSlotCount), "{bad}");
        }
    }

    #[test]
    fn the_limiter_applies_gcra_per_key() {
        let limiter = Limiter::per_process(64, PerProcessReason::SwitchedOff).unwrap();
        let quota = Quota::new(3, 60).unwrap();
        let now = monotonic_nanos();
        let allowed: Vec<bool> = (0..5).map(|_| limiter.check(b"ip", &quota, 1, now).allowed).collect();
        assert_eq!(allowed, [true, true, true, false, false]);
        assert!(limiter.check(b"other", &quota, 3, now).allowed);
        limiter.reset(b"ip");
        assert_eq!(limiter.check(b"ip", &quota, 1, now).remaining, 2);
        assert_eq!(limiter.usage(now).in_use, 2);
    }

    #[test]
    fn shared_mode_is_reported_where_it_is_available() {
        let limiter = Limiter::shared(64).unwrap();
        assert_eq!(*limiter.mode(), Mode::Shared, "x86_64 and aarch64 Linux have 16-byte CAS and MAP_SHARED");
        let private = Limiter::per_process(64, PerProcessReason::SingleProcessSapi("cli".into())).unwrap();
        assert_eq!(private.mode().to_string(), "per-process (the cli SAPI runs one process)");
        assert!(Limiter::shared(8).is_err(), "too small a table is a configuration error, not a fallback");
    }

    #[test]
    fn the_clock_is_monotonic_and_never_zero() {
        let a = monotonic_nanos();
        let b = monotonic_nanos();
        assert!(a >= 1 && b >= a);
    }
}
