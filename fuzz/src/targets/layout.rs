//! `Scheme::build` with caller-supplied options (the `hmac` scheme's layout,
//! `algo` for WooCommerce): accepts exactly the documented layouts, and
//! every scheme it builds signs deliveries that then verify. (This target
//! found layouts that signed but could never verify: one header name for
//! two parts, a prefix starting with a blank. `build` now refuses them.)
//!
//! Input fields: scheme name, then header, prefix, algo, encoding,
//! timestamp_header, id_header, signed_content (each set when it starts
//! with `=`, e.g. `=X-Sig`), then the body.

use hookguard::check::{check, Clock};
use hookguard::headers::Headers;
use hookguard::reason::Reason;
use hookguard::scheme::{Layout, Part, Scheme, SchemeError, NAMES};
use hookguard::sign::{sign, Envelope};

use crate::input::{fields, fixed_secret};
use crate::reference;

const TIMESTAMP: i64 = 1_700_000_000;

pub fn run(data: &[u8]) {
    let fields = fields(data);
    let field = |i: usize| -> Option<String> {
        let f = fields.get(i)?.strip_prefix(b"=")?;
        Some(String::from_utf8_lossy(f).into_owned())
    };
    let name = fields.first().map(|f| String::from_utf8_lossy(f).into_owned()).unwrap_or_default();
    let layout = Layout {
        header: field(1),
        prefix: field(2),
        algo: field(3),
        encoding: field(4),
        timestamp_header: field(5),
        id_header: field(6),
        signed_content: field(7),
    };
    let body = fields.get(8).copied().unwrap_or(b"");

    let built = Scheme::build(&name, &layout);
    assert_eq!(built.is_ok(), acceptable(&name, &layout), "{name:?} {layout:?} gave {built:?}");
    match built {
        Ok(scheme) => {
            let content = &scheme.content;
            assert_eq!(content.iter().filter(|p| **p == Part::Body).count(), 1);
            if name == "hmac" {
                assert_eq!(content.contains(&Part::Timestamp), scheme.timestamp_header.is_some());
                assert!(!content.contains(&Part::Id) || scheme.id_header.is_some());
            }
            round_trip(&scheme, body);
        }
        Err(SchemeError::Option(key, why)) => {
            assert!(!why.is_empty());
            assert!(["header", "prefix", "algo", "encoding", "timestamp_header", "id_header", "signed_content"]
                .contains(&key));
        }
        Err(SchemeError::UnknownScheme) => assert!(!NAMES.contains(&name.as_str())),
    }
}

/// The README's rules for options, restated.
fn acceptable(name: &str, l: &Layout) -> bool {
    let algo_ok = l.algo.as_deref().is_none_or(|a| ["sha1", "sha256", "sha512"].contains(&a));
    match name {
        "hmac" => {
            let header_name =
                |h: &str| !h.is_empty() && h.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
            let optional = |h: &Option<String>| h.as_deref().is_none_or(header_name);
            let template = l
                .signed_content
                .clone()
                .unwrap_or_else(|| if l.timestamp_header.is_some() { "{timestamp}.{body}" } else { "{body}" }.into());
            let placeholders = template_placeholders(&template);
            let count = |p: &str| placeholders.as_ref().map_or(0, |ps| ps.iter().filter(|q| **q == p).count());
            l.header.as_deref().is_some_and(header_name)
                && optional(&l.timestamp_header)
                && optional(&l.id_header)
                && algo_ok
                && l.encoding.as_deref().is_none_or(|e| e == "hex" || e == "base64")
                && placeholders.is_some()
                && count("body") == 1
                && count("timestamp") == usize::from(l.timestamp_header.is_some())
                && count("id") <= 1
                && (count("id") == 0 || l.id_header.is_some())
                && distinct_headers(l)
                && !l.prefix.as_deref().is_some_and(|p| p.starts_with(' ') || p.starts_with('\t'))
        }
        "woocommerce" => algo_ok && *l == Layout { algo: l.algo.clone(), ..Layout::default() },
        _ => NAMES.contains(&name) && *l == Layout::default(),
    }
}

/// A receiver reads headers by name: each part needs its own.
fn distinct_headers(l: &Layout) -> bool {
    let names: Vec<&str> =
        [&l.header, &l.timestamp_header, &l.id_header].into_iter().filter_map(|h| h.as_deref()).collect();
    let clash = |a: &str, b: &str| reference::name_matches(a.as_bytes(), b) || reference::name_matches(b.as_bytes(), a);
    names.iter().enumerate().all(|(i, a)| names[i + 1..].iter().all(|b| !clash(a, b)))
}

/// The `{…}` names in a template; `None` if one is unclosed or unknown.
fn template_placeholders(t: &str) -> Option<Vec<&str>> {
    let mut names = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}')? + open;
        let name = &rest[open + 1..close];
        if !["body", "timestamp", "id"].contains(&name) {
            return None;
        }
        names.push(name);
        rest = &rest[close + 1..];
    }
    Some(names)
}

fn round_trip(scheme: &Scheme, body: &[u8]) {
    let envelope = Envelope { timestamp: TIMESTAMP, id: b"msg_fuzz".to_vec() };
    let secret = fixed_secret(scheme.key);
    let signed = sign(scheme, body, secret, &envelope).expect("a valid secret signs");
    let mut headers = Headers::new();
    for (name, value) in &signed {
        headers.push(name.as_bytes(), value);
    }
    let reason = check(scheme, body, &headers, &[secret], Clock { now: TIMESTAMP, tolerance: 0 });
    assert_eq!(reason, Ok(Reason::Ok), "sign() output does not verify under {scheme:?}");
}
