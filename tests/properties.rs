//! Property tests over random bodies and secrets for every scheme:
//! sign → verify round-trips, and any one-bit change in the body, the
//! signature or the secret is rejected.

use base64::Engine as _;
use hookguard::check::{check, Clock};
use hookguard::headers::Headers;
use hookguard::reason::Reason;
use hookguard::scheme::{Layout, Scheme, SchemeId, NAMES};
use hookguard::sign::{sign, Envelope};
use proptest::prelude::*;

const NOW: i64 = 1_750_000_000;

fn scheme(name: &str) -> Scheme {
    let layout = if name == "hmac" {
        Layout {
            header: Some("X-Sig".into()),
            timestamp_header: Some("X-Ts".into()),
            id_header: Some("X-Id".into()),
            signed_content: Some("{id}|{timestamp}|{body}".into()),
            algo: Some("sha512".into()),
            ..Layout::default()
        }
    } else {
        Layout::default()
    };
    Scheme::build(name, &layout).unwrap()
}

/// The secret as the scheme expects it written (Standard Webhooks: whsec_ + base64).
fn written(scheme: &Scheme, raw: &[u8]) -> Vec<u8> {
    if scheme.id == SchemeId::StandardWebhooks {
        format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(raw)).into_bytes()
    } else {
        raw.to_vec()
    }
}

fn verify(scheme: &Scheme, body: &[u8], headers: &[(String, Vec<u8>)], secret: &[u8]) -> Reason {
    let mut h = Headers::new();
    for (k, v) in headers {
        h.push(k.as_bytes(), v);
    }
    check(scheme, body, &h, &[secret], Clock { now: NOW, tolerance: 300 }).unwrap()
}

fn signed(scheme: &Scheme, body: &[u8], secret: &[u8]) -> Vec<(String, Vec<u8>)> {
    sign(scheme, body, secret, &Envelope { timestamp: NOW, id: b"msg_1".to_vec() }).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sign_then_verify_round_trips(which in 0..NAMES.len(), body in proptest::collection::vec(any::<u8>(), 0..3000),
                                    raw in proptest::collection::vec(any::<u8>(), 1..80)) {
        let s = scheme(NAMES[which]);
        let secret = written(&s, &raw);
        prop_assert_eq!(verify(&s, &body, &signed(&s, &body, &secret), &secret), Reason::Ok);
    }

    #[test]
    fn one_bit_in_the_body_breaks_it(which in 0..NAMES.len(), body in proptest::collection::vec(any::<u8>(), 1..3000),
                                     raw in proptest::collection::vec(any::<u8>(), 1..80), bit in any::<usize>()) {
        let s = scheme(NAMES[which]);
        let secret = written(&s, &raw);
        let headers = signed(&s, &body, &secret);
        let mut forged = body.clone();
        forged[(bit / 8) % body.len()] ^= 1 << (bit % 8);
        prop_assert_eq!(verify(&s, &forged, &headers, &secret), Reason::SignatureMismatch);
    }

    #[test]
    fn one_bit_in_the_secret_breaks_it(which in 0..NAMES.len(), body in proptest::collection::vec(any::<u8>(), 0..3000),
                                       raw in proptest::collection::vec(any::<u8>(), 1..80), bit in any::<usize>()) {
        let s = scheme(NAMES[which]);
        let headers = signed(&s, &body, &written(&s, &raw));
        let mut other = raw.clone();
        other[(bit / 8) % raw.len()] ^= 1 << (bit % 8);
        // WooCommerce decodes HTML entities in its secret, and "&#x27;" and
        // "&#X27;" (one bit apart) decode alike: compare keys, not secrets.
        let same_key = s.key.derive(&written(&s, &raw)).unwrap() == s.key.derive(&written(&s, &other)).unwrap();
        prop_assume!(!same_key);
        prop_assert_eq!(verify(&s, &body, &headers, &written(&s, &other)), Reason::SignatureMismatch);
    }

    #[test]
    fn one_bit_in_the_signature_breaks_it(which in 0..NAMES.len(), body in proptest::collection::vec(any::<u8>(), 0..3000),
                                          raw in proptest::collection::vec(any::<u8>(), 1..80), bit in any::<usize>()) {
        let s = scheme(NAMES[which]);
        let secret = written(&s, &raw);
        let mut headers = signed(&s, &body, &secret);
        // The first header is the signature header in every scheme.
        let sig = &mut headers[0].1;
        let i = (bit / 8) % sig.len();
        let before = sig[i];
        sig[i] ^= 1 << (bit % 8);
        // Hex digits and prefixes are case-insensitive: 'a' -> 'A' is the same signature.
        prop_assume!(!(before.is_ascii_alphabetic() && sig[i].eq_ignore_ascii_case(&before)));
        let reason = verify(&s, &body, &headers, &secret);
        prop_assert!(reason != Reason::Ok, "{:?}", reason);
    }
}
