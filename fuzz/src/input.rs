//! The record format of structured inputs, the schemes a record can name,
//! and the header-name shapes PHP hands over.
//!
//! A record is fields separated by 0x1E; a field holds items separated by
//! 0x1F. Field 0 is usually a control line of space-separated words
//! (`"stripe 1492774600 300"`). Bytes are kept raw everywhere else, so
//! bodies, secrets and header values may be any bytes but 0x1E/0x1F.

use std::sync::OnceLock;

use hookguard::keys::KeyForm;
use hookguard::scheme::{Layout, Scheme, NAMES};

pub const FIELD: u8 = 0x1e;
pub const ITEM: u8 = 0x1f;

pub fn fields(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == FIELD).collect()
}

/// The items of a field; an empty field has none.
pub fn items(field: &[u8]) -> Vec<&[u8]> {
    if field.is_empty() {
        return Vec::new();
    }
    field.split(|&b| b == ITEM).collect()
}

/// Inverse of [`fields`]/[`items`], for `seed`.
pub fn join(parts: &[Vec<u8>], sep: u8) -> Vec<u8> {
    parts.join(&[sep][..])
}

/// The space-separated words of a control field.
pub struct Control(Vec<String>);

impl Control {
    pub fn new(field: &[u8]) -> Control {
        Control(String::from_utf8_lossy(field).split(' ').map(str::to_string).collect())
    }

    pub fn word(&self, i: usize) -> &str {
        self.0.get(i).map_or("", String::as_str)
    }

    pub fn int(&self, i: usize) -> i64 {
        self.word(i).parse().unwrap_or(0)
    }
}

/// A scheme as the fuzzer names it: every named scheme, plus option-shaped ones.
pub struct Named {
    pub label: &'static str,
    pub scheme: Scheme,
}

fn layouts() -> Vec<(&'static str, &'static str, Layout)> {
    let s = |v: &str| Some(v.to_string());
    let mut out: Vec<_> = NAMES.iter().filter(|n| **n != "hmac").map(|n| (*n, *n, Layout::default())).collect();
    out.push(("woocommerce-sha512", "woocommerce", Layout { algo: s("sha512"), ..Layout::default() }));
    out.push(("hmac", "hmac", Layout { header: s("X-Sig"), ..Layout::default() }));
    // tests/vectors.json's generic sender.
    out.push((
        "hmac-ts",
        "hmac",
        Layout {
            algo: s("sha512"),
            encoding: s("base64"),
            header: s("X-Custom-Sig"),
            prefix: s("s512="),
            timestamp_header: s("X-Custom-Ts"),
            signed_content: s("{timestamp}:{body}"),
            ..Layout::default()
        },
    ));
    out.push((
        "hmac-id",
        "hmac",
        Layout {
            algo: s("sha1"),
            header: s("X-Sig"),
            prefix: s("sha1="),
            timestamp_header: s("X-Ts"),
            id_header: s("X-Id"),
            signed_content: s("{id}|{timestamp}|{body}"),
            ..Layout::default()
        },
    ));
    out
}

pub fn schemes() -> &'static [Named] {
    static ALL: OnceLock<Vec<Named>> = OnceLock::new();
    ALL.get_or_init(|| {
        layouts()
            .into_iter()
            .map(|(label, name, layout)| Named {
                label,
                scheme: Scheme::build(name, &layout).expect("fuzz scheme builds"),
            })
            .collect()
    })
}

/// The scheme a control word names; any other word still picks one, so no
/// input is wasted.
pub fn scheme(word: &str) -> &'static Scheme {
    let all = schemes();
    match all.iter().find(|n| n.label == word) {
        Some(n) => &n.scheme,
        None => &all[word.bytes().map(usize::from).sum::<usize>() % all.len()].scheme,
    }
}

/// A valid secret of `form` that no seed holds.
pub fn fixed_secret(form: KeyForm) -> &'static [u8] {
    match form {
        KeyForm::Whsec => b"whsec_aG9va2d1YXJkIGZ1enogb3RoZXIgc2VjcmV0",
        _ => b"hookguard fuzz other secret",
    }
}

/// A header as a record item: name, 0x1F, value.
pub fn header_pair(item: &[u8]) -> (&[u8], &[u8]) {
    match item.iter().position(|&b| b == ITEM) {
        Some(i) => (&item[..i], &item[i + 1..]),
        None => (item, &[]),
    }
}

/// `name` in one of the shapes PHP hands headers over in: as sent,
/// `$_SERVER` (`HTTP_X_SIG`), `WP_REST_Request` (`x_sig`), lower or upper
/// case. `None` when the `$_SERVER` shape would change what the name
/// matches (it already starts with `HTTP_`).
pub fn shaped_bytes(name: &[u8], shape: i64) -> Option<Vec<u8>> {
    let underscored = || name.iter().map(|&c| if c == b'-' { b'_' } else { c });
    Some(match shape.rem_euclid(5) {
        0 => name.to_vec(),
        1 if name.len() >= 5 && matches!(&name[..5].to_ascii_lowercase()[..], b"http_" | b"http-") => return None,
        1 => b"HTTP_".iter().copied().chain(underscored().map(|c| c.to_ascii_uppercase())).collect(),
        2 => underscored().map(|c| c.to_ascii_lowercase()).collect(),
        3 => name.to_ascii_lowercase(),
        _ => name.to_ascii_uppercase(),
    })
}
