//! Header lookup that accepts every shape PHP hands headers over in.
//!
//! - `$_SERVER`: `HTTP_X_WC_WEBHOOK_SIGNATURE`
//! - `getallheaders()`: `X-WC-Webhook-Signature` (any case)
//! - `WP_REST_Request::get_headers()`: `x_wc_webhook_signature`, list values
//!
//! Names compare ASCII-case-insensitively with `_` equal to `-`, and an
//! `HTTP_` prefix is ignored. Values are trimmed of spaces and tabs. When a
//! header appears more than once (several keys, or a list), the first value
//! wins for single-valued headers; [`Headers::get_all`] sees every value.

use smallvec::SmallVec;

/// A borrowed view of request headers: (name, value) pairs in arrival order.
#[derive(Default, Debug)]
pub struct Headers<'a> {
    // Inline for the usual handful of headers: no allocation per request.
    entries: SmallVec<[(&'a [u8], &'a [u8]); 8]>,
    /// When set, only these names are kept (see [`Headers::only`]).
    wanted: Option<&'a [&'a str]>,
}

impl<'a> Headers<'a> {
    pub fn new() -> Self {
        Headers { entries: SmallVec::new(), wanted: None }
    }

    /// Keeps only the headers named in `wanted` (a scheme's
    /// [`crate::scheme::Scheme::header_names`]): `$_SERVER` holds dozens of
    /// entries and a check reads two or three.
    pub fn only(wanted: &'a [&'a str]) -> Self {
        Headers { entries: SmallVec::new(), wanted: Some(wanted) }
    }

    pub fn push(&mut self, name: &'a [u8], value: &'a [u8]) {
        let name = match self.wanted {
            None => name,
            // Kept under the wanted spelling: `get` then finds it by an exact compare.
            Some(wanted) => match wanted.iter().find(|w| name_matches(name, w.as_bytes())) {
                Some(w) => w.as_bytes(),
                None => return,
            },
        };
        self.entries.push((name, value));
    }

    /// The first non-empty value of header `wanted` (written with `-`).
    pub fn get(&self, wanted: &str) -> Option<&'a [u8]> {
        self.get_all(wanted).find(|v| !v.is_empty())
    }

    /// Every value of header `wanted`, trimmed, in arrival order.
    pub fn get_all<'s>(&'s self, wanted: &'s str) -> impl Iterator<Item = &'a [u8]> + 's {
        self.entries.iter().filter(move |(name, _)| name_matches(name, wanted.as_bytes())).map(|(_, value)| trim(value))
    }
}

pub(crate) fn name_matches(given: &[u8], wanted: &[u8]) -> bool {
    let given = match given.len().checked_sub(wanted.len()) {
        Some(0) => given,
        Some(5) if same_name(&given[..5], b"http-") => &given[5..],
        _ => return false,
    };
    same_name(given, wanted)
}

fn same_name(a: &[u8], b: &[u8]) -> bool {
    a == b || (a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| fold(x) == fold(y)))
}

/// ASCII lower case, with `_` folded to `-`: a table, because every request
/// compares a few header names against every key of `$_SERVER`.
const FOLD: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).to_ascii_lowercase();
        i += 1;
    }
    t[b'_' as usize] = b'-';
    t
};

fn fold(c: u8) -> u8 {
    FOLD[c as usize]
}

fn trim(v: &[u8]) -> &[u8] {
    let is_space = |c: &u8| *c == b' ' || *c == b'\t';
    let start = v.iter().position(|c| !is_space(c)).unwrap_or(v.len());
    let end = v.iter().rposition(|c| !is_space(c)).map_or(start, |i| i + 1);
    &v[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &'static str, value: &'static str) -> Headers<'static> {
        let mut h = Headers::new();
        h.push(name.as_bytes(), value.as_bytes());
        h
    }

    #[test]
    fn every_php_shape_finds_the_header() {
        for name in [
            "HTTP_X_WC_WEBHOOK_SIGNATURE",
            "X-WC-Webhook-Signature",
            "x-wc-webhook-signature",
            "x_wc_webhook_signature",
            "X-Wc-Webhook-Signature",
        ] {
            assert_eq!(one(name, "abc").get("x-wc-webhook-signature"), Some(&b"abc"[..]), "{name}");
        }
    }

    #[test]
    fn similar_names_do_not_match() {
        assert_eq!(one("X-WC-Webhook-Signatures", "a").get("x-wc-webhook-signature"), None);
        assert_eq!(one("XHTTP_X_SIG", "a").get("x-sig"), None);
        assert_eq!(one("X-WC-Webhook-Signature", "a").get("x-wc-webhook-id"), None);
    }

    #[test]
    fn only_keeps_the_wanted_names() {
        let wanted = ["x-sig", "x-ts"];
        let mut h = Headers::only(&wanted);
        h.push(b"HTTP_X_SIG", b"1");
        h.push(b"HTTP_HOST", b"shop.example");
        h.push(b"X-Ts", b"2");
        assert_eq!(h.entries.len(), 2);
        assert_eq!((h.get("x-sig"), h.get("x-ts")), (Some(&b"1"[..]), Some(&b"2"[..])));
    }

    #[test]
    fn values_are_trimmed_and_empty_ones_skipped() {
        let mut h = Headers::new();
        h.push(b"X-Sig", b"  ");
        h.push(b"x_sig", b"\t v \t");
        assert_eq!(h.get("x-sig"), Some(&b"v"[..]));
        assert_eq!(h.get_all("x-sig").count(), 2);
    }
}
