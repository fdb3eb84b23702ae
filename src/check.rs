//! Verifying a delivery: raw body + headers + secrets → [`Reason`].
//!
//! Order: signature present and well-formed, then timestamp present, parsed
//! and within tolerance, then the MAC under every secret against every
//! candidate signature. The comparison never exits early: with a rotation
//! list, the time taken does not say which secret (or whether any) matched.

use std::borrow::Cow;

use smallvec::SmallVec;
use subtle::Choice;

use crate::encoding::{parse_timestamp, Encoding};
use crate::headers::Headers;
use crate::keys::BadSecret;
use crate::mac::{hmac, Algo, Key, Tag};
use crate::reason::Reason;
use crate::scheme::{Part, Scheme, SignatureForm};

/// A key a check MACs the signed content under: derived bytes (keyed
/// through the per-thread cache on each call) or a prepared [`Key`].
pub trait MacKey {
    fn tag(&self, algo: Algo, parts: &[&[u8]]) -> Tag;
}

impl MacKey for Cow<'_, [u8]> {
    fn tag(&self, algo: Algo, parts: &[&[u8]]) -> Tag {
        hmac(algo, self, parts)
    }
}

impl MacKey for Key {
    fn tag(&self, _algo: Algo, parts: &[&[u8]]) -> Tag {
        Key::tag(self, parts)
    }
}

/// The clock a check runs against.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// Unix time, seconds.
    pub now: i64,
    /// Largest allowed |now - timestamp|, seconds.
    pub tolerance: u64,
}

/// At most this many signatures are tried from one header (Stripe and
/// Standard Webhooks allow several); more is hostile input.
const MAX_CANDIDATES: usize = 8;

struct Candidates {
    // Inline and never spilled; only the slots in use are written, so a
    // check does not zero 512 bytes it will not read.
    tags: SmallVec<[[u8; 64]; MAX_CANDIDATES]>,
    len: usize,
}

impl Candidates {
    fn new(len: usize) -> Self {
        Candidates { tags: SmallVec::new(), len }
    }

    /// Decodes `text` as one more candidate; false if it is not of the form.
    fn add(&mut self, encoding: Encoding, text: &[u8]) -> bool {
        if self.tags.len() == MAX_CANDIDATES {
            return false;
        }
        let mut tag = [0; 64];
        let ok = encoding.decode_into(text, self.len, &mut tag).is_some();
        if ok {
            self.tags.push(tag);
        }
        ok
    }

    fn count(&self) -> usize {
        self.tags.len()
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.tags.iter().map(move |t| &t[..self.len])
    }
}

pub fn check(
    scheme: &Scheme,
    body: &[u8],
    headers: &Headers<'_>,
    secrets: &[&[u8]],
    clock: Clock,
) -> Result<Reason, BadSecret> {
    if secrets.is_empty() {
        return Err(BadSecret::Empty);
    }
    let mut keys: SmallVec<[_; 4]> = SmallVec::new();
    for s in secrets {
        keys.push(scheme.key.derive(s)?);
    }
    Ok(authenticate(scheme, body, headers, &keys, clock).err().unwrap_or(Reason::Ok))
}

/// A check prepared once: every secret's key derived and keyed for the
/// scheme, so each delivery costs only its headers, its MAC and the compare
/// (`HookGuard\Verifier`). The same [`authenticate`] as [`check`], so the
/// same reason for every input.
#[derive(Debug)]
pub struct Prepared {
    scheme: Cow<'static, Scheme>,
    keys: SmallVec<[Key; 2]>,
}

impl Prepared {
    /// Derives every secret's key in order; the first unusable one is the error.
    pub fn new(scheme: Cow<'static, Scheme>, secrets: &[&[u8]]) -> Result<Prepared, BadSecret> {
        if secrets.is_empty() {
            return Err(BadSecret::Empty);
        }
        let mut keys = SmallVec::new();
        for s in secrets {
            keys.push(Key::new(scheme.algo, &scheme.key.derive(s)?));
        }
        Ok(Prepared { scheme, keys })
    }

    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    pub fn check(&self, body: &[u8], headers: &Headers<'_>, clock: Clock) -> Reason {
        authenticate(&self.scheme, body, headers, &self.keys, clock).err().unwrap_or(Reason::Ok)
    }
}

fn authenticate<K: MacKey>(
    scheme: &Scheme,
    body: &[u8],
    headers: &Headers<'_>,
    keys: &[K],
    clock: Clock,
) -> Result<(), Reason> {
    let mut candidates = Candidates::new(scheme.algo.output_len());
    let mut timestamp: Option<&[u8]> = None;

    match &scheme.signature {
        SignatureForm::Header { name, prefix, encoding } => {
            let value = headers.get(name).ok_or(Reason::MissingSignature)?;
            let text = strip_prefix_ignore_case(value, prefix.as_bytes()).ok_or(Reason::MalformedSignature)?;
            if !candidates.add(*encoding, text) {
                return Err(Reason::MalformedSignature);
            }
        }
        SignatureForm::Stripe => {
            let value = headers.get("Stripe-Signature").ok_or(Reason::MissingSignature)?;
            for item in value.split(|&c| c == b',') {
                match item.iter().position(|&c| c == b'=').map(|i| item.split_at(i)) {
                    Some((b"t", ts)) if timestamp.is_none() => timestamp = Some(&ts[1..]),
                    Some((b"v1", sig)) => {
                        candidates.add(Encoding::Hex, &sig[1..]);
                    }
                    _ => {} // v0 and other schemes are ignored, as Stripe does.
                }
            }
            if candidates.count() == 0 {
                return Err(Reason::MalformedSignature);
            }
            timestamp = Some(timestamp.ok_or(Reason::MissingTimestamp)?);
        }
        SignatureForm::StandardWebhooks => {
            let value = headers.get("webhook-signature").ok_or(Reason::MissingSignature)?;
            for item in value.split(|&c| c == b' ') {
                if let Some(sig) = item.strip_prefix(b"v1,") {
                    candidates.add(Encoding::Base64, sig);
                }
            }
            if candidates.count() == 0 {
                return Err(Reason::MalformedSignature);
            }
        }
    }

    if let Some(h) = &scheme.timestamp_header {
        timestamp = Some(headers.get(h).ok_or(Reason::MissingTimestamp)?);
    }
    if let Some(ts) = timestamp {
        let t = parse_timestamp(ts).ok_or(Reason::MalformedTimestamp)?;
        let age = i128::from(clock.now) - i128::from(t);
        if age > i128::from(clock.tolerance) {
            return Err(Reason::TimestampTooOld);
        }
        if -age > i128::from(clock.tolerance) {
            return Err(Reason::TimestampInFuture);
        }
    }
    let id = match (&scheme.id_header, scheme.signs_id()) {
        (Some(h), true) => Some(headers.get(h).ok_or(Reason::MissingId)?),
        _ => None,
    };

    let mut parts: [&[u8]; 8] = [&[]; 8];
    let n = signed_parts(scheme, body, timestamp.unwrap_or(b""), id.unwrap_or(b""), &mut parts);
    let mut matched = Choice::from(0);
    for key in keys {
        let tag = key.tag(scheme.algo, &parts[..n]);
        for candidate in candidates.iter() {
            matched |= tag.matches(candidate);
        }
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(Reason::SignatureMismatch)
    }
}

/// Fills `out` with the scheme's signed content; returns how many parts.
pub(crate) fn signed_parts<'a>(
    scheme: &'a Scheme,
    body: &'a [u8],
    timestamp: &'a [u8],
    id: &'a [u8],
    out: &mut [&'a [u8]; 8],
) -> usize {
    for (slot, part) in out.iter_mut().zip(&scheme.content) {
        *slot = match part {
            Part::Body => body,
            Part::Timestamp => timestamp,
            Part::Id => id,
            Part::Literal(l) => l,
        };
    }
    scheme.content.len().min(8)
}

fn strip_prefix_ignore_case<'a>(value: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &value[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheme::Layout;
    use crate::sign::{sign, Envelope};

    fn reason(scheme: &str, headers: &[(&str, &str)], now: i64, tolerance: u64) -> Reason {
        let s = Scheme::build(scheme, &Layout::default()).unwrap();
        let mut h = Headers::new();
        for (k, v) in headers {
            h.push(k.as_bytes(), v.as_bytes());
        }
        check(&s, b"body", &h, &[b"secret"], Clock { now, tolerance }).unwrap()
    }

    fn slack_at(ts: i64) -> Vec<(String, String)> {
        let s = Scheme::build("slack", &Layout::default()).unwrap();
        sign(&s, b"body", b"secret", &Envelope { timestamp: ts, id: vec![] })
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, String::from_utf8(v).unwrap()))
            .collect()
    }

    #[test]
    fn tolerance_is_inclusive_on_both_sides() {
        for (ts, expected) in [
            (1000 - 300, Reason::Ok),
            (1000 - 301, Reason::TimestampTooOld),
            (1000 + 300, Reason::Ok),
            (1000 + 301, Reason::TimestampInFuture),
        ] {
            let h = slack_at(ts);
            let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            assert_eq!(reason("slack", &h, 1000, 300), expected, "ts {ts}");
        }
        let h = slack_at(1000);
        let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(reason("slack", &h, 1000, 0), Reason::Ok);
    }

    #[test]
    fn stripe_header_forms() {
        let sig = "0".repeat(64);
        assert_eq!(reason("stripe", &[], 0, 300), Reason::MissingSignature);
        assert_eq!(reason("stripe", &[("Stripe-Signature", "t=1")], 0, 300), Reason::MalformedSignature);
        assert_eq!(reason("stripe", &[("Stripe-Signature", &format!("v1={sig}"))], 0, 300), Reason::MissingTimestamp);
        assert_eq!(
            reason("stripe", &[("Stripe-Signature", &format!("t=x,v1={sig}"))], 0, 300),
            Reason::MalformedTimestamp
        );
        assert_eq!(
            reason("stripe", &[("Stripe-Signature", &format!("t=1,v1={sig}"))], 1, 300),
            Reason::SignatureMismatch
        );
        assert_eq!(
            reason("stripe", &[("Stripe-Signature", &format!("t=1,v0={sig}"))], 1, 300),
            Reason::MalformedSignature
        );
    }

    #[test]
    fn a_prepared_check_gives_the_same_reasons() {
        let slack = Scheme::build("slack", &Layout::default()).unwrap();
        let prepared = Prepared::new(Cow::Owned(slack.clone()), &[b"other", b"secret"]).unwrap();
        for ts in [1000, 699, 1301] {
            let signed = slack_at(ts);
            for drop in [None, Some(0), Some(1)] {
                let mut h = Headers::new();
                for (i, (k, v)) in signed.iter().enumerate() {
                    if Some(i) != drop {
                        h.push(k.as_bytes(), v.as_bytes());
                    }
                }
                let clock = Clock { now: 1000, tolerance: 300 };
                let direct = check(&slack, b"body", &h, &[b"other", b"secret"], clock).unwrap();
                assert_eq!(prepared.check(b"body", &h, clock), direct, "ts {ts}, without {drop:?}");
            }
        }
        let whsec = Cow::Borrowed(Scheme::named("standard-webhooks").unwrap());
        assert_eq!(Prepared::new(whsec.clone(), &[b"whsec_AAAA", b"whsec_!"]).unwrap_err(), BadSecret::NotWhsec);
        assert_eq!(Prepared::new(whsec, &[]).unwrap_err(), BadSecret::Empty);
        assert_eq!(format!("{:?}", prepared.keys), "[Key(<sha256>), Key(<sha256>)]");
    }

    #[test]
    fn standard_webhooks_needs_its_id() {
        let s = Scheme::build("standard-webhooks", &Layout::default()).unwrap();
        let mut h = Headers::new();
        h.push(b"webhook-timestamp", b"5");
        h.push(b"webhook-signature", b"v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        let clock = Clock { now: 5, tolerance: 300 };
        assert_eq!(check(&s, b"", &h, &[b"whsec_AAAA"], clock), Ok(Reason::MissingId));
        assert_eq!(check(&s, b"", &h, &[b"whsec_!"], clock), Err(BadSecret::NotWhsec));
        assert_eq!(check(&s, b"", &h, &[], clock), Err(BadSecret::Empty));
    }
}
