//! Every scheme accepts its provider's published (or recomputed) delivery,
//! and signing reproduces the provider's signature header byte for byte.

mod common;

use hookguard::check::{check, Clock};
use hookguard::headers::Headers;
use hookguard::reason::Reason;
use hookguard::scheme::{SchemeId, SignatureForm, NAMES};
use hookguard::sign::{sign, Envelope};

fn run(v: &common::Vector, body: &[u8], headers: &[(String, String)], secrets: &[&[u8]]) -> Reason {
    let mut h = Headers::new();
    for (k, val) in headers {
        h.push(k.as_bytes(), val.as_bytes());
    }
    check(&v.scheme, body, &h, secrets, Clock { now: v.now, tolerance: 300 }).unwrap()
}

fn header<'a>(v: &'a common::Vector, name: &str) -> &'a str {
    &v.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).unwrap().1
}

#[test]
fn every_vector_verifies() {
    for v in common::vectors() {
        assert_eq!(run(&v, &v.body, &v.headers, &[&v.secret]), Reason::Ok, "{}", v.name);
    }
}

#[test]
fn every_scheme_has_a_vector() {
    let vectors = common::vectors();
    for name in NAMES {
        assert!(vectors.iter().any(|v| v.scheme.id.name() == name), "no vector for {name}");
    }
}

#[test]
fn a_changed_body_or_another_secret_is_a_mismatch() {
    for v in common::vectors() {
        let mut body = v.body.clone();
        body[0] ^= 1;
        assert_eq!(run(&v, &body, &v.headers, &[&v.secret]), Reason::SignatureMismatch, "{}", v.name);
        let mut secret = v.secret.clone();
        let last = secret.len() - 1;
        secret[last] ^= 1;
        if v.scheme.id != SchemeId::StandardWebhooks {
            assert_eq!(run(&v, &v.body, &v.headers, &[&secret]), Reason::SignatureMismatch, "{}", v.name);
        }
    }
}

#[test]
fn rotation_accepts_the_vector_secret_in_any_position() {
    for v in common::vectors() {
        let other: &[u8] = if v.scheme.id == SchemeId::StandardWebhooks { b"whsec_AAAAAAAAAAAAAAAA" } else { b"old" };
        assert_eq!(run(&v, &v.body, &v.headers, &[other, &v.secret]), Reason::Ok, "{}", v.name);
        assert_eq!(run(&v, &v.body, &v.headers, &[&v.secret, other]), Reason::Ok, "{}", v.name);
        assert_eq!(run(&v, &v.body, &v.headers, &[other]), Reason::SignatureMismatch, "{}", v.name);
    }
}

#[test]
fn signing_reproduces_the_published_signature() {
    for v in common::vectors() {
        let (ts_name, id_name) = (v.scheme.timestamp_header.clone(), v.scheme.id_header.clone());
        let timestamp = match (&v.scheme.signature, &ts_name) {
            (SignatureForm::Stripe, _) => header(&v, "stripe-signature")[2..12].parse().unwrap(),
            (_, Some(h)) => header(&v, h).parse().unwrap(),
            _ => 0,
        };
        let id = id_name.as_ref().map(|h| header(&v, h).as_bytes().to_vec()).unwrap_or_default();
        let signed = sign(&v.scheme, &v.body, &v.secret, &Envelope { timestamp, id }).unwrap();
        for (name, value) in &signed {
            let value = String::from_utf8(value.clone()).unwrap();
            let expected = header(&v, name);
            if matches!(v.scheme.signature, SignatureForm::Stripe) {
                // The vector carries decoys; ours must be one of its v1 entries.
                let ours = value.split(',').nth(1).unwrap();
                assert!(expected.split(',').any(|p| p == ours), "{}", v.name);
            } else {
                assert_eq!(&value, expected, "{}: {}", v.name, name);
            }
        }
    }
}
