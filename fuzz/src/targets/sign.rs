//! `sign()` output always verifies: for every scheme, in every header shape,
//! with the signing secret anywhere in a rotation list, with decoy headers
//! after the real ones, at any clock skew within the tolerance; and it stops
//! verifying when the first character of the MAC changes. The only
//! deliveries that may not verify are the ones the README rules out: a
//! timestamp that is not 0 to 15 digits, or a signed id that is empty or
//! has blanks at its ends (header values are trimmed).
//!
//! Input fields: control `scheme timestamp skew signer shape`, body,
//! secrets (items), id, then decoy headers (`name 0x1F value`).

use hookguard::check::{check, Clock};
use hookguard::headers::Headers;
use hookguard::keys::BadSecret;
use hookguard::reason::Reason;
use hookguard::scheme::{Scheme, SignatureForm};
use hookguard::sign::{sign, Envelope};

use crate::input::{fields, header_pair, items, scheme, shaped_bytes, Control};
use crate::reference;

const TOLERANCE: u64 = 300;

pub fn run(data: &[u8]) {
    let fields = fields(data);
    if fields.len() < 4 {
        return;
    }
    let control = Control::new(fields[0]);
    let scheme = scheme(control.word(0));
    let timestamp = control.int(1);
    let skew = control.int(2).rem_euclid(2 * TOLERANCE as i64 + 1) - TOLERANCE as i64;
    let (body, id) = (fields[1], fields[3]);
    let secrets = items(fields[2]);
    let decoys: Vec<_> = fields[4..].iter().map(|f| header_pair(f)).collect();

    let envelope = Envelope { timestamp, id: id.to_vec() };
    if secrets.is_empty() {
        assert_eq!(sign(scheme, body, b"", &envelope), Err(BadSecret::Empty));
        return;
    }
    let signer = secrets[control.int(3).unsigned_abs() as usize % secrets.len()];
    let signed = match sign(scheme, body, signer, &envelope) {
        Ok(signed) => signed,
        Err(e) => {
            assert_eq!(scheme.key.derive(signer).err(), Some(e), "sign() refused a usable secret");
            return;
        }
    };
    let names: Vec<&str> = signed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[..], scheme.header_names()[..], "sign() writes the headers check() reads");

    let shape = control.int(4);
    let shaped: Vec<Vec<u8>> = signed
        .iter()
        .map(|(n, _)| shaped_bytes(n.as_bytes(), shape).expect("no scheme header starts with HTTP_"))
        .collect();
    let mut pairs: Vec<(&[u8], &[u8])> = shaped.iter().zip(&signed).map(|(n, (_, v))| (&n[..], &v[..])).collect();
    pairs.extend(&decoys);
    let rotation: Vec<&[u8]> = secrets.iter().copied().filter(|s| scheme.key.derive(s).is_ok()).collect();
    let clock = Clock { now: timestamp.saturating_add(skew), tolerance: TOLERANCE };
    let verify = |pairs: &[(&[u8], &[u8])]| {
        let mut headers = Headers::new();
        for (n, v) in pairs {
            headers.push(n, v);
        }
        check(scheme, body, &headers, &rotation, clock).expect("usable secrets")
    };

    let reason = verify(&pairs);
    if !verifiable(scheme, timestamp, id) {
        assert_ne!(reason, Reason::Ok, "verified a delivery whose signed headers were changed in transit");
        return;
    }
    assert_eq!(reason, Reason::Ok, "sign() output does not verify");

    let mut forged = signed[0].1.clone();
    let at = mac_start(scheme, &forged);
    forged[at] = next_symbol(scheme, forged[at]);
    pairs[0].1 = &forged;
    assert_eq!(verify(&pairs), Reason::SignatureMismatch, "a changed MAC verified");
}

/// What the README promises to verify: a timestamp of 0 to 15 digits and,
/// when the id is signed, an id that survives header trimming.
fn verifiable(scheme: &Scheme, timestamp: i64, id: &[u8]) -> bool {
    let timestamp_ok = !scheme.is_timestamped() || reference::timestamp(timestamp.to_string().as_bytes()).is_some();
    let id_ok = !scheme.signs_id() || (!id.is_empty() && reference::trim(id) == id);
    timestamp_ok && id_ok
}

/// Where the encoded MAC starts in the signature header's value.
fn mac_start(scheme: &Scheme, value: &[u8]) -> usize {
    match &scheme.signature {
        SignatureForm::Header { prefix, .. } => prefix.len(),
        SignatureForm::Stripe => value.windows(4).position(|w| w == b",v1=").expect("v1 entry") + 4,
        SignatureForm::StandardWebhooks => 3,
    }
}

/// Another symbol of the MAC's alphabet: the first character always
/// carries full bits, so this changes the MAC.
fn next_symbol(scheme: &Scheme, c: u8) -> u8 {
    let hex = match &scheme.signature {
        SignatureForm::Header { encoding, .. } => *encoding == hookguard::encoding::Encoding::Hex,
        SignatureForm::Stripe => true,
        SignatureForm::StandardWebhooks => false,
    };
    let alphabet: &[u8] =
        if hex { b"0123456789abcdef" } else { b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" };
    let i = alphabet.iter().position(|&a| a == c).expect("the MAC is in its alphabet");
    alphabet[(i + 1) % alphabet.len()]
}
