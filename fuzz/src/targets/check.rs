//! `check()`, the verification entry point, with arbitrary header maps
//! (this also drives the Stripe and Standard Webhooks signature-header
//! parsers and the timestamp window):
//! - its reason code is the reference model's, in every header shape and
//!   with the `Headers::only` filter the extension applies to `$_SERVER`;
//! - only the secret decides `ok`: with another secret the same input gives
//!   the same code, except `ok` becomes `signature_mismatch`;
//! - an `ok` delivery with one body bit changed is a mismatch.
//!
//! Input fields: control `scheme now tolerance shape`, body, secrets
//! (items), then one field per header (`name 0x1F value`).

use hookguard::check::{check, Clock};
use hookguard::headers::Headers;
use hookguard::reason::Reason;
use hookguard::scheme::Scheme;

use crate::input::{fields, fixed_secret, header_pair, items, scheme, shaped_bytes, Control};
use crate::reference;

pub fn run(data: &[u8]) {
    let fields = fields(data);
    if fields.len() < 3 {
        return;
    }
    let control = Control::new(fields[0]);
    let scheme = scheme(control.word(0));
    let clock = Clock { now: control.int(1), tolerance: control.int(2).unsigned_abs() };
    let body = fields[1];
    let secrets = items(fields[2]);
    let pairs: Vec<_> = fields[3..].iter().map(|f| header_pair(f)).collect();

    let expected = reference::check(scheme, body, &pairs, &secrets, clock);
    let got = run_check(scheme, body, &pairs, &secrets, clock, None);
    assert_eq!(got, expected, "check() disagrees with the reference");

    let wanted = scheme.header_names();
    assert_eq!(
        run_check(scheme, body, &pairs, &secrets, clock, Some(&wanted)),
        got,
        "Headers::only changes the answer"
    );

    let shape = control.int(3);
    let renamed: Option<Vec<Vec<u8>>> = pairs.iter().map(|(n, _)| shaped_bytes(n, shape)).collect();
    if let Some(renamed) = renamed {
        let reshaped: Vec<_> = renamed.iter().zip(&pairs).map(|(n, (_, v))| (&n[..], *v)).collect();
        assert_eq!(
            run_check(scheme, body, &reshaped, &secrets, clock, None),
            got,
            "header shape {shape} changes the answer"
        );
    }

    let Ok(reason) = got else { return };
    let other = fixed_secret(scheme.key);
    let other_key = scheme.key.derive(other).expect("the other secret is valid");
    if secrets.iter().all(|s| scheme.key.derive(s).is_ok_and(|k| k != other_key)) {
        let without = if reason == Reason::Ok { Reason::SignatureMismatch } else { reason };
        assert_eq!(
            run_check(scheme, body, &pairs, &[other], clock, None),
            Ok(without),
            "the answer depends on the secret beyond ok/mismatch"
        );
    }
    if reason == Reason::Ok {
        let mut changed = body.to_vec();
        match changed.first_mut() {
            Some(b) => *b ^= 1,
            None => changed.push(0),
        }
        assert_eq!(
            run_check(scheme, &changed, &pairs, &secrets, clock, None),
            Ok(Reason::SignatureMismatch),
            "a changed body verified"
        );
    }
}

fn run_check(
    scheme: &Scheme,
    body: &[u8],
    pairs: &[(&[u8], &[u8])],
    secrets: &[&[u8]],
    clock: Clock,
    only: Option<&[&str]>,
) -> Result<Reason, hookguard::keys::BadSecret> {
    let mut headers = only.map_or_else(Headers::new, Headers::only);
    for (n, v) in pairs {
        headers.push(n, v);
    }
    check(scheme, body, &headers, secrets, clock)
}
