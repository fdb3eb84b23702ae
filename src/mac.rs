//! HMAC (RFC 2104) over SHA-1, SHA-256 and SHA-512, with a bounded per-thread
//! cache of keyed states.
//!
//! Keying an HMAC costs two compression-function calls (the padded inner and
//! outer keys). For a 256-byte body that is a third of the work, so each
//! secret's keyed state is computed once per process and cloned per message.
//! The cache is per thread (PHP NTS runs one request per process; ZTS builds
//! get one cache per thread), holds at most [`KEY_CACHE_CAPACITY`] secrets and
//! is emptied when full, which bounds its memory whatever the caller does.

use std::cell::RefCell;

use hmac::{Hmac, Mac as _};
use subtle::ConstantTimeEq;

use crate::hmac_sha256::KeyedSha256;

/// How many distinct (algorithm, key) pairs one thread keeps keyed states for.
pub const KEY_CACHE_CAPACITY: usize = 64;

/// The hash function under the HMAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algo {
    Sha1,
    Sha256,
    Sha512,
}

impl Algo {
    pub fn parse(name: &str) -> Option<Algo> {
        match name {
            "sha1" => Some(Algo::Sha1),
            "sha256" => Some(Algo::Sha256),
            "sha512" => Some(Algo::Sha512),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Algo::Sha1 => "sha1",
            Algo::Sha256 => "sha256",
            Algo::Sha512 => "sha512",
        }
    }

    /// Length of the MAC in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Algo::Sha1 => 20,
            Algo::Sha256 => 32,
            Algo::Sha512 => 64,
        }
    }
}

/// A computed MAC. Compare it with [`Tag::matches`], never with `==`.
#[derive(Clone)]
pub struct Tag {
    bytes: [u8; 64],
    len: usize,
}

impl Tag {
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Constant-time comparison with a candidate of the same length; a
    /// candidate of another length is unequal (lengths are public).
    /// Compares 64-bit words: `subtle` puts an optimisation barrier on each
    /// element, and eight words cost a quarter of 32 bytes.
    pub fn matches(&self, candidate: &[u8]) -> subtle::Choice {
        if candidate.len() != self.len {
            return subtle::Choice::from(0);
        }
        let mut theirs = [0u8; 64];
        theirs[..self.len].copy_from_slice(candidate);
        words(&self.bytes).ct_eq(&words(&theirs))
    }

    fn from_slice(s: &[u8]) -> Tag {
        let mut bytes = [0u8; 64];
        bytes[..s.len()].copy_from_slice(s);
        Tag { bytes, len: s.len() }
    }
}

fn words(bytes: &[u8; 64]) -> [u64; 8] {
    std::array::from_fn(|i| u64::from_ne_bytes(bytes[8 * i..8 * i + 8].try_into().expect("8 bytes")))
}

impl std::fmt::Debug for Tag {
    // A MAC is as good as a secret to whoever forges messages: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tag(<{} bytes>)", self.len)
    }
}

#[derive(Clone)]
enum Keyed {
    Sha1(Hmac<sha1::Sha1>),
    // What nearly every sender uses: on the compression function directly.
    Sha256(KeyedSha256),
    Sha512(Hmac<sha2::Sha512>),
}

impl Keyed {
    fn new(algo: Algo, key: &[u8]) -> Keyed {
        // new_from_slice accepts keys of any length for HMAC.
        match algo {
            Algo::Sha1 => Keyed::Sha1(Hmac::new_from_slice(key).expect("any key length")),
            Algo::Sha256 => Keyed::Sha256(KeyedSha256::new(key)),
            Algo::Sha512 => Keyed::Sha512(Hmac::new_from_slice(key).expect("any key length")),
        }
    }

    fn tag(&self, parts: &[&[u8]]) -> Tag {
        macro_rules! run {
            ($m:expr) => {{
                let mut m = $m.clone();
                for p in parts {
                    m.update(p);
                }
                Tag::from_slice(&m.finalize().into_bytes())
            }};
        }
        match self {
            Keyed::Sha1(m) => run!(m),
            Keyed::Sha256(k) => Tag::from_slice(&k.tag(parts)),
            Keyed::Sha512(m) => run!(m),
        }
    }
}

thread_local! {
    // A short list beats a hash map here: a site has a handful of secrets,
    // and a scan that compares lengths first costs less than hashing the key.
    static KEY_CACHE: RefCell<Vec<(Algo, Vec<u8>, Keyed)>> = const { RefCell::new(Vec::new()) };
}

/// HMAC of the concatenation of `parts` under `key`.
pub fn hmac(algo: Algo, key: &[u8], parts: &[&[u8]]) -> Tag {
    keyed(algo, key).tag(parts)
}

/// One key's keyed HMAC state, prepared once (taken from the per-thread
/// cache) and used for any number of messages: what a prepared verifier holds
/// instead of the secret. Its `Debug` form names only the algorithm.
#[derive(Clone)]
pub struct Key {
    algo: Algo,
    keyed: Keyed,
}

impl Key {
    pub fn new(algo: Algo, key: &[u8]) -> Key {
        Key { algo, keyed: keyed(algo, key) }
    }

    /// HMAC of the concatenation of `parts`.
    pub fn tag(&self, parts: &[&[u8]]) -> Tag {
        self.keyed.tag(parts)
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key(<{}>)", self.algo.name())
    }
}

/// HMAC without touching the cache (reference path for tests and benches).
pub fn hmac_uncached(algo: Algo, key: &[u8], parts: &[&[u8]]) -> Tag {
    Keyed::new(algo, key).tag(parts)
}

fn keyed(algo: Algo, key: &[u8]) -> Keyed {
    KEY_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some((_, _, k)) = cache.iter().find(|(a, k, _)| *a == algo && k.as_slice() == key) {
            return k.clone();
        }
        if cache.len() >= KEY_CACHE_CAPACITY {
            cache.clear();
        }
        let k = Keyed::new(algo, key);
        cache.push((algo, key.to_vec(), k.clone()));
        k
    })
}

/// Number of keyed states cached on this thread (for `php --ri` and tests).
pub fn cached_keys() -> usize {
    KEY_CACHE.with(|c| c.borrow().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 4231 test case 2 (HMAC-SHA-256 / SHA-512) and RFC 2202 test case 2 (SHA-1).
    #[test]
    fn rfc_vectors_key_jefe() {
        let data = b"what do ya want for nothing?";
        assert_eq!(
            hex::encode(hmac(Algo::Sha256, b"Jefe", &[data]).as_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex::encode(hmac(Algo::Sha512, b"Jefe", &[data]).as_bytes()),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
        assert_eq!(
            hex::encode(hmac(Algo::Sha1, b"Jefe", &[data]).as_bytes()),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }

    #[test]
    fn parts_are_concatenated() {
        let whole = hmac(Algo::Sha256, b"k", &[b"12.body"]);
        let split = hmac(Algo::Sha256, b"k", &[b"12", b".", b"body"]);
        assert_eq!(whole.as_bytes(), split.as_bytes());
    }

    #[test]
    fn cache_stays_bounded_and_correct() {
        for i in 0..(KEY_CACHE_CAPACITY * 3) {
            let key = format!("secret-{i}");
            let a = hmac(Algo::Sha256, key.as_bytes(), &[b"x"]);
            let b = hmac_uncached(Algo::Sha256, key.as_bytes(), &[b"x"]);
            assert_eq!(a.as_bytes(), b.as_bytes());
            assert!(cached_keys() <= KEY_CACHE_CAPACITY);
        }
    }

    #[test]
    fn matches_only_the_exact_tag() {
        let t = hmac(Algo::Sha1, b"k", &[b"x"]);
        let mut other = t.as_bytes().to_vec();
        assert!(bool::from(t.matches(&other)));
        for i in 0..other.len() {
            other[i] ^= 0x80;
            assert!(!bool::from(t.matches(&other)), "byte {i}");
            other[i] ^= 0x80;
        }
        assert!(!bool::from(t.matches(&other[..19])));
        other.push(0);
        assert!(!bool::from(t.matches(&other)));
    }

    #[test]
    fn debug_never_prints_the_mac() {
        let t = hmac(Algo::Sha256, b"k", &[b"x"]);
        assert_eq!(format!("{t:?}"), "Tag(<32 bytes>)");
        assert_eq!(format!("{:?}", Key::new(Algo::Sha1, b"secret")), "Key(<sha1>)");
    }

    #[test]
    fn a_prepared_key_gives_the_same_tags() {
        for algo in [Algo::Sha1, Algo::Sha256, Algo::Sha512] {
            let key = Key::new(algo, b"k");
            for msg in [&b""[..], b"x", &[7u8; 300]] {
                assert_eq!(key.tag(&[msg]).as_bytes(), hmac_uncached(algo, b"k", &[msg]).as_bytes());
            }
        }
    }
}
