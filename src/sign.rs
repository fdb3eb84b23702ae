//! Signing a delivery the way each sender does: body + secret → headers.

use crate::check::signed_parts;
use crate::encoding::{Encoding, BASE64_LENIENT};
use crate::keys::BadSecret;
use crate::mac::hmac;
use crate::scheme::{Scheme, SchemeId, SignatureForm};
use base64::Engine as _;

/// What a timestamped or id-carrying scheme puts in its headers.
#[derive(Clone, Debug, Default)]
pub struct Envelope {
    /// Unix seconds.
    pub timestamp: i64,
    /// Message id (Standard Webhooks `webhook-id`, relay `X-Event-Id`).
    pub id: Vec<u8>,
}

/// The headers the scheme's sender sends, in the sender's spelling.
pub fn sign(
    scheme: &Scheme,
    body: &[u8],
    secret: &[u8],
    envelope: &Envelope,
) -> Result<Vec<(String, Vec<u8>)>, BadSecret> {
    let key = scheme.key.derive(secret)?;
    let ts = envelope.timestamp.to_string();
    let mut parts: [&[u8]; 8] = [&[]; 8];
    let n = signed_parts(scheme, body, ts.as_bytes(), &envelope.id, &mut parts);
    let tag = hmac(scheme.algo, &key, &parts[..n]);

    let mut out: Vec<(String, Vec<u8>)> = Vec::with_capacity(3);
    match &scheme.signature {
        SignatureForm::Header { name, prefix, encoding } => {
            out.push((name.clone(), format!("{prefix}{}", encoding.encode(tag.as_bytes())).into_bytes()));
        }
        SignatureForm::Stripe => {
            out.push((
                "Stripe-Signature".into(),
                format!("t={ts},v1={}", Encoding::Hex.encode(tag.as_bytes())).into_bytes(),
            ));
        }
        SignatureForm::StandardWebhooks => {
            out.push((
                "webhook-signature".into(),
                format!("v1,{}", BASE64_LENIENT.encode(tag.as_bytes())).into_bytes(),
            ));
        }
    }
    if let Some(h) = &scheme.timestamp_header {
        out.push((h.clone(), ts.clone().into_bytes()));
    }
    if let Some(h) = &scheme.id_header {
        out.push((h.clone(), envelope.id.clone()));
    }
    Ok(out)
}

/// A fresh message id in the scheme's customary form (`msg_…` for Standard
/// Webhooks, a UUID v4 otherwise).
pub fn fresh_id(scheme: &Scheme) -> Vec<u8> {
    let mut r = [0u8; 16];
    getrandom::getrandom(&mut r).expect("the OS random source is available");
    if scheme.id == SchemeId::StandardWebhooks {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut id = b"msg_".to_vec();
        id.extend(r.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()]));
        return id;
    }
    r[6] = (r[6] & 0x0f) | 0x40;
    r[8] = (r[8] & 0x3f) | 0x80;
    let h = hex::encode(r);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]).into_bytes()
}
