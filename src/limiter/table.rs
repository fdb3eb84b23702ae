//! A fixed-size, lock-free table of keys and their limiter state, in one
//! memory region that several processes may map.
//!
//! Each slot is 16 bytes updated as one unit with a 16-byte compare-and-swap:
//! the key's 64-bit fingerprint (SipHash-2-4 under a random per-table seed,
//! so outsiders cannot aim keys at one slot) and a 64-bit *expiry*, the
//! instant at which the key's state becomes indistinguishable from a key
//! never seen (for GCRA, the TAT). Fingerprint 0 marks an empty slot. There
//! is no lock anywhere: a process killed at any instruction leaves every slot
//! either before or after its update, never half-written or held.
//!
//! A key lives in one of the [`PROBE_WINDOW`] slots starting at the position
//! its hash selects (four cache lines, wrapping at the end of the table).
//!
//! A new key takes the slot of its window whose state expires earliest:
//! 1. an empty slot or an *expired* one whenever there is one. Reusing an
//!    expired slot loses nothing: its key would be treated exactly as new.
//! 2. When every slot of the window is live, the key closest to its full
//!    allowance is evicted (counted in [`Usage::evictions`]): eviction hands
//!    it back the least. A busy key (far-off expiry) outlives any number of
//!    one-off keys: a flood of distinct keys evicts its own members first and
//!    cannot reset the key being limited. New keys are always admitted, so a
//!    full table never makes the limiter refuse everyone.
//!
//! The choice depends on the slots' contents only, never on the clock, so
//! two processes inserting the same new key at once pick the same slot and
//! one compare-and-swap fails; the loser then finds the winner's copy. Two
//! copies can only arise if, during those same nanoseconds, another slot of
//! the window *loses* time (a concurrent reset, or an eviction by a third key).
//! Each inserter re-reads its window after inserting; sequential consistency
//! guarantees that at least one of them sees both copies, and it folds the
//! later copy's debt into the first (the one lookups find): no admission is
//! ever forgotten, though a request decided on the second copy in between
//! was decided on a fresh allowance.

use std::io;

use portable_atomic::{AtomicU128, AtomicU64, Ordering};

use super::shm::{Mapping, Sharing};

/// Slots a key may occupy, from the one its hash selects.
pub const PROBE_WINDOW: usize = 16;
/// Bytes per slot: fingerprint and expiry.
pub const SLOT_BYTES: usize = 16;
/// The counters in front of the slots (one cache line).
const HEADER_BYTES: usize = 64;

/// Counters shared by every process mapping the table.
#[repr(C, align(64))]
struct Header {
    evictions: AtomicU64,
}

const _: () = assert!(std::mem::size_of::<Header>() == HEADER_BYTES);

/// What `php --ri` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    pub slots: usize,
    /// Slots holding a key whose state has not yet expired.
    pub in_use: usize,
    /// Live keys pushed out because their window was full, since start-up.
    pub evictions: u64,
}

pub struct Table {
    mapping: Mapping,
    slot_count: usize,
    seed: (u64, u64),
}

const EMPTY: u128 = 0;

enum Place<'a> {
    /// The slot holding the key, and what it held.
    Stored(&'a AtomicU128, u128),
    /// The slot a new key would take, and what it held.
    Vacant(&'a AtomicU128, u128),
}

fn pack(fingerprint: u64, expiry: u64) -> u128 {
    (u128::from(fingerprint) << 64) | u128::from(expiry)
}

fn fingerprint_of(slot: u128) -> u64 {
    (slot >> 64) as u64
}

fn expiry_of(slot: u128) -> u64 {
    slot as u64
}

fn is_free(slot: u128, now: u64) -> bool {
    fingerprint_of(slot) == 0 || expiry_of(slot) <= now
}

impl Table {
    /// Bytes a table of `slot_count` slots maps.
    pub fn bytes_for(slot_count: usize) -> usize {
        HEADER_BYTES + slot_count * SLOT_BYTES
    }

    pub fn new(slot_count: usize, sharing: Sharing) -> io::Result<Table> {
        if slot_count < PROBE_WINDOW {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "fewer slots than one probe window"));
        }
        let mut seed = [0u8; 16];
        getrandom::getrandom(&mut seed).map_err(|e| io::Error::other(e.to_string()))?;
        let half = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
        let mapping = Mapping::anonymous(Self::bytes_for(slot_count), sharing)?;
        Ok(Table { mapping, slot_count, seed: (half(&seed[..8]), half(&seed[8..])) })
    }

    fn header(&self) -> &Header {
        // SAFETY: the mapping starts with HEADER_BYTES of zeroed memory,
        // page-aligned, and a zeroed AtomicU64 is a valid Header.
        unsafe { &*self.mapping.as_ptr().cast::<Header>() }
    }

    fn slots(&self) -> &[AtomicU128] {
        // SAFETY: the mapping holds slot_count × 16 zeroed bytes after the
        // header, 16-aligned (page + 64); AtomicU128 has u128's layout and
        // all-zero is EMPTY. Every access goes through the atomics.
        unsafe {
            let first = self.mapping.as_ptr().add(HEADER_BYTES).cast::<AtomicU128>();
            std::slice::from_raw_parts(first, self.slot_count)
        }
    }

    fn hash(&self, key: &[u8]) -> u64 {
        use std::hash::Hasher;
        // SipHash-2-4 with explicit keys: every process must hash alike, and
        // `SipHasher` is std's only keyed hash with a fixed, specified algorithm.
        #[allow(deprecated)]
        let mut h = std::hash::SipHasher::new_with_keys(self.seed.0, self.seed.1);
        h.write(key);
        h.finish()
    }

    /// The window of `hash`, in probe order.
    fn window(&self, hash: u64) -> impl Iterator<Item = &AtomicU128> {
        let slots = self.slots();
        let n = slots.len();
        // Multiply-shift maps the hash onto 0..n without a division.
        let first = ((u128::from(hash) * n as u128) >> 64) as usize;
        (first..first + PROBE_WINDOW).map(move |i| &slots[if i >= n { i - n } else { i }])
    }

    /// One pass over the key's window: the slot holding it, else the slot
    /// a new key takes. That is the slot expiring earliest (an empty slot
    /// counts as expired at 0; ties go to the first), chosen from the
    /// slots' contents alone, never from the clock: two processes inserting
    /// the same new key at once, each with its own reading of the clock,
    /// pick the same slot, and the loser of the compare-and-swap finds the
    /// winner's copy on its retry.
    fn locate(&self, hash: u64, fingerprint: u64) -> Place<'_> {
        let mut earliest: Option<(&AtomicU128, u128)> = None;
        for slot in self.window(hash) {
            let seen = slot.load(Ordering::SeqCst);
            if fingerprint_of(seen) == fingerprint {
                return Place::Stored(slot, seen);
            }
            if earliest.is_none_or(|(_, e)| expiry_of(seen) < expiry_of(e)) {
                earliest = Some((slot, seen));
            }
        }
        let (slot, seen) = earliest.expect("a window is never empty");
        Place::Vacant(slot, seen)
    }

    /// Runs `step` on the key's stored expiry (0 for a key not stored) and
    /// stores what it returns, atomically: when another process changed the
    /// slot in between, `step` runs again on the new value. Returns the
    /// result of the `step` whose value was stored. Returning the value it
    /// was given (or, for a new key, one not after `now`) stores nothing.
    pub fn update<R>(&self, key: &[u8], now: u64, step: impl FnMut(u64) -> (R, u64)) -> R {
        let hash = self.hash(key);
        self.update_hashed(hash, hash.max(1), now, step)
    }

    fn update_hashed<R>(&self, hash: u64, fingerprint: u64, now: u64, mut step: impl FnMut(u64) -> (R, u64)) -> R {
        loop {
            let (slot, seen, is_new) = match self.locate(hash, fingerprint) {
                Place::Stored(slot, seen) => (slot, seen, false),
                Place::Vacant(slot, seen) => (slot, seen, true),
            };
            let stored = if is_new { 0 } else { expiry_of(seen) };
            let (result, next) = step(stored);
            if next == stored || (is_new && next <= now) {
                return result; // nothing (worth) storing
            }
            if slot.compare_exchange(seen, pack(fingerprint, next), Ordering::SeqCst, Ordering::SeqCst).is_err() {
                continue; // changed meanwhile: the key updated, or the slot taken (maybe for this key)
            }
            if is_new {
                if !is_free(seen, now) {
                    self.header().evictions.fetch_add(1, Ordering::Relaxed);
                }
                self.fold_duplicates(hash, fingerprint, now);
            }
            return result;
        }
    }

    /// Keeps the first slot of the window holding the key (the one lookups
    /// find) and empties any other, carrying its remaining debt over.
    fn fold_duplicates(&self, hash: u64, fingerprint: u64, now: u64) {
        let mut first_seen = false;
        for slot in self.window(hash) {
            let seen = slot.load(Ordering::SeqCst);
            if fingerprint_of(seen) != fingerprint {
                continue;
            }
            if !first_seen {
                first_seen = true;
                continue;
            }
            let Some(released) = take(slot, fingerprint) else { continue };
            let debt = expiry_of(released).saturating_sub(now);
            if debt > 0 {
                self.update_hashed(hash, fingerprint, now, |expiry| ((), expiry.max(now).saturating_add(debt)));
            }
        }
    }

    /// Forgets `key`: its next request starts from a full allowance.
    pub fn remove(&self, key: &[u8]) {
        let hash = self.hash(key);
        let fingerprint = hash.max(1);
        for slot in self.window(hash) {
            take(slot, fingerprint);
        }
    }

    /// Counts live slots (a full scan: for `php --ri`, not per request).
    pub fn usage(&self, now: u64) -> Usage {
        let in_use = self.slots().iter().filter(|s| !is_free(s.load(Ordering::Relaxed), now)).count();
        Usage { slots: self.slot_count, in_use, evictions: self.header().evictions.load(Ordering::Relaxed) }
    }
}

/// Empties `slot` if it holds `fingerprint`; returns what it held.
fn take(slot: &AtomicU128, fingerprint: u64) -> Option<u128> {
    let mut seen = slot.load(Ordering::SeqCst);
    while fingerprint_of(seen) == fingerprint {
        match slot.compare_exchange(seen, EMPTY, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => return Some(seen),
            Err(changed) => seen = changed,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64 as StdAtomicU64, Ordering::Relaxed};
    use std::sync::Arc;

    use super::*;

    /// A step that admits while the expiry stays within `horizon` of now,
    /// each admission pushing it `unit` further (GCRA in miniature).
    fn spend(now: u64, unit: u64, horizon: u64) -> impl FnMut(u64) -> (bool, u64) {
        move |expiry| {
            let next = expiry.max(now) + unit;
            if next - now <= horizon {
                (true, next)
            } else {
                (false, expiry)
            }
        }
    }

    fn expiry(table: &Table, key: &[u8]) -> Option<u64> {
        let hash = table.hash(key);
        match table.locate(hash, hash.max(1)) {
            Place::Stored(_, s) => Some(expiry_of(s)),
            Place::Vacant(..) => None,
        }
    }

    fn copies(table: &Table, key: &[u8]) -> usize {
        let hash = table.hash(key);
        table.window(hash).filter(|s| fingerprint_of(s.load(Ordering::SeqCst)) == hash.max(1)).count()
    }

    const NOW: u64 = 1_000_000;

    #[test]
    fn state_is_kept_per_key() {
        let t = Table::new(1024, Sharing::ThisProcess).unwrap();
        let admitted = |key: &[u8]| (0..20).filter(|_| t.update(key, NOW, spend(NOW, 10, 50))).count();
        assert_eq!(admitted(b"198.51.100.7"), 5);
        assert_eq!(admitted(b"198.51.100.8"), 5);
        assert_eq!(admitted(b"198.51.100.7"), 0);
        assert_eq!(expiry(&t, b"198.51.100.7"), Some(NOW + 50));
        assert_eq!(t.usage(NOW), Usage { slots: 1024, in_use: 2, evictions: 0 });
        assert_eq!(t.usage(NOW + 50).in_use, 0, "expired state is not in use");
    }

    #[test]
    fn keys_are_bytes_not_strings() {
        let t = Table::new(64, Sharing::ThisProcess).unwrap();
        t.update(b"a\0b", NOW, spend(NOW, 10, 10));
        assert_eq!(expiry(&t, b"a\0b"), Some(NOW + 10));
        assert_eq!(expiry(&t, b"a"), None);
        assert_eq!(expiry(&t, b"a\0c"), None);
    }

    #[test]
    fn remove_restores_the_full_allowance() {
        let t = Table::new(64, Sharing::ThisProcess).unwrap();
        assert!(t.update(b"k", NOW, spend(NOW, 10, 10)));
        assert!(!t.update(b"k", NOW, spend(NOW, 10, 10)));
        t.remove(b"k");
        assert_eq!(expiry(&t, b"k"), None);
        assert!(t.update(b"k", NOW, spend(NOW, 10, 10)));
        t.remove(b"never-seen");
    }

    #[test]
    fn a_step_that_stores_nothing_claims_no_slot() {
        let t = Table::new(64, Sharing::ThisProcess).unwrap();
        assert_eq!(t.update(b"peek", NOW, |e| (e, e)), 0);
        assert_eq!(t.usage(NOW).in_use, 0);
    }

    #[test]
    fn expired_slots_are_reused_before_any_live_key_is_evicted() {
        // 16 slots: every key shares the one window.
        let t = Table::new(PROBE_WINDOW, Sharing::ThisProcess).unwrap();
        for i in 0..PROBE_WINDOW as u64 {
            // Keys 0..8 expire at NOW + 100, keys 8..16 at NOW + 10_000.
            let life = if i < 8 { 100 } else { 10_000 };
            t.update(&i.to_le_bytes(), NOW, |_| ((), NOW + life));
        }
        let later = NOW + 200;
        for i in 100..108u64 {
            t.update(&i.to_le_bytes(), later, |_| ((), later + 50));
        }
        assert_eq!(t.usage(later).evictions, 0);
        for i in 8..16u64 {
            assert_eq!(expiry(&t, &i.to_le_bytes()), Some(NOW + 10_000), "live key {i} kept its state");
        }
    }

    #[test]
    fn a_full_window_evicts_the_key_expiring_first() {
        let t = Table::new(PROBE_WINDOW, Sharing::ThisProcess).unwrap();
        for i in 0..PROBE_WINDOW as u64 {
            t.update(&i.to_le_bytes(), NOW, |_| ((), NOW + 1000 + i));
        }
        t.update(b"newcomer", NOW, |_| ((), NOW + 5));
        assert_eq!(expiry(&t, &0u64.to_le_bytes()), None, "the key closest to full went");
        assert_eq!(expiry(&t, b"newcomer"), Some(NOW + 5));
        assert_eq!(t.usage(NOW), Usage { slots: PROBE_WINDOW, in_use: PROBE_WINDOW, evictions: 1 });
    }

    #[test]
    fn a_flood_of_distinct_keys_neither_resets_a_busy_key_nor_refuses_newcomers() {
        let t = Table::new(PROBE_WINDOW, Sharing::ThisProcess).unwrap();
        // Limit 100, one unit earned back per ms: the 100 µs flood below is
        // over long before the busy key could earn back a single request.
        let (unit, horizon) = (1_000_000, 100_000_000);
        let busy = b"203.0.113.9";
        let admitted_busy = (0..150).filter(|_| t.update(busy, NOW, spend(NOW, unit, horizon))).count();
        assert_eq!(admitted_busy, 100);
        let mut now = NOW;
        for i in 0..100_000u64 {
            now += 1; // the flood takes time too: 100 µs in all
            assert!(t.update(&i.to_be_bytes(), now, spend(now, unit, horizon)), "flood key {i} refused");
            if i % 1000 == 0 {
                assert!(!t.update(busy, now, spend(now, unit, horizon)), "busy key admitted after {i} flood keys");
            }
        }
        assert!(t.usage(now).evictions >= 100_000 - PROBE_WINDOW as u64);
        assert!(expiry(&t, busy).is_some());
    }

    #[test]
    fn duplicates_fold_into_the_first_copy_with_their_debt() {
        let t = Table::new(64, Sharing::ThisProcess).unwrap();
        let key = b"dup";
        let hash = t.hash(key);
        let fp = hash.max(1);
        let window: Vec<&AtomicU128> = t.window(hash).collect();
        window[2].store(pack(fp, NOW + 30), Ordering::SeqCst);
        window[9].store(pack(fp, NOW + 20), Ordering::SeqCst);
        window[5].store(pack(fp, NOW - 1), Ordering::SeqCst); // an expired copy carries no debt
        t.fold_duplicates(hash, fp, NOW);
        assert_eq!(copies(&t, key), 1);
        assert_eq!(expiry_of(window[2].load(Ordering::SeqCst)), NOW + 50);
    }

    #[test]
    fn threads_on_one_key_admit_exactly_the_limit() {
        let t = Arc::new(Table::new(1024, Sharing::ThisProcess).unwrap());
        let admitted = Arc::new(StdAtomicU64::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (t, admitted) = (t.clone(), admitted.clone());
                std::thread::spawn(move || {
                    for _ in 0..20_000 {
                        if t.update(b"hot", NOW, spend(NOW, 1, 1000)) {
                            admitted.fetch_add(1, Relaxed);
                        }
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|h| h.join().unwrap());
        assert_eq!(admitted.load(Relaxed), 1000);
    }

    #[test]
    fn forked_processes_on_a_shared_table_admit_exactly_the_limit() {
        let t = Table::new(1024, Sharing::AcrossFork).unwrap();
        let children: Vec<libc::pid_t> = (0..4)
            .map(|_| {
                // SAFETY: the child touches only the table (atomics, no
                // allocation, no locks) and leaves with _exit.
                match unsafe { libc::fork() } {
                    0 => {
                        let admitted = (0..5_000).filter(|_| t.update(b"hot", NOW, spend(NOW, 1, 200))).count();
                        unsafe { libc::_exit(admitted as i32) }
                    }
                    -1 => panic!("fork failed"),
                    pid => pid,
                }
            })
            .collect();
        let total: i32 = children
            .into_iter()
            .map(|pid| {
                let mut status = 0;
                // SAFETY: reaping our own child.
                unsafe { libc::waitpid(pid, &mut status, 0) };
                assert!(libc::WIFEXITED(status));
                libc::WEXITSTATUS(status)
            })
            .sum();
        assert_eq!(total, 200);
    }

    #[test]
    fn racing_first_inserts_with_different_clocks_admit_exactly_the_limit() {
        // Threads whose clocks straddle the expiry of filler keys disagree
        // on which slots are expired, and all insert the same new key at
        // once. A slot choice that depended on the clock would put the key
        // in two slots, each with a fresh allowance (this test caught that).
        const THREADS: u64 = 2;
        const LIMIT: u64 = 50;
        let (unit, horizon) = (1_000_000, LIMIT * 1_000_000);
        for round in 0..3_000 {
            let t = Arc::new(Table::new(PROBE_WINDOW, Sharing::ThisProcess).unwrap());
            // Fillers expire at NOW + 1 ..= NOW + 15: thread i (clock NOW + 8i)
            // sees a different set of them still live.
            for f in 1..PROBE_WINDOW as u64 {
                t.update(&(round * 100 + f).to_le_bytes(), NOW, |_| ((), NOW + f));
            }
            // Spinning, not a Barrier: the threads must start within the same
            // few hundred nanoseconds for their inserts to overlap.
            let ready = Arc::new(StdAtomicU64::new(0));
            let admitted = Arc::new(StdAtomicU64::new(0));
            let threads: Vec<_> = (0..THREADS)
                .map(|i| {
                    let (t, ready, admitted) = (t.clone(), ready.clone(), admitted.clone());
                    std::thread::spawn(move || {
                        let now = NOW + 8 * i;
                        ready.fetch_add(1, Relaxed);
                        while ready.load(Relaxed) < THREADS {
                            std::hint::spin_loop();
                        }
                        for _ in 0..LIMIT {
                            if t.update(b"hot", now, spend(now, unit, horizon)) {
                                admitted.fetch_add(1, Relaxed);
                            }
                        }
                    })
                })
                .collect();
            threads.into_iter().for_each(|h| h.join().unwrap());
            assert_eq!(admitted.load(Relaxed), LIMIT, "round {round}");
        }
    }

    #[test]
    fn a_table_needs_at_least_one_window() {
        assert!(Table::new(PROBE_WINDOW - 1, Sharing::ThisProcess).is_err());
        assert_eq!(Table::bytes_for(65_536), 64 + 1_048_576);
    }
}
