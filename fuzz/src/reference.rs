//! Plain, slow models of what HookGuard documents (README, wire formats,
//! WordPress's source), written without looking at how the crate does it.
//! The targets check the crate against these.

use hookguard::check::Clock;
use hookguard::encoding::Encoding;
use hookguard::keys::BadSecret;
use hookguard::mac::hmac_uncached;
use hookguard::reason::Reason;
use hookguard::scheme::{Part, Scheme, SignatureForm};

/// How many signatures of one header are tried (more is hostile input).
pub const MAX_CANDIDATES: usize = 8;

fn fold(name: &[u8]) -> Vec<u8> {
    name.iter().map(|&c| if c == b'_' { b'-' } else { c.to_ascii_lowercase() }).collect()
}

/// Header names compare case-insensitively with `_` equal to `-`, and one
/// `HTTP_` prefix (`$_SERVER`) is ignored.
pub fn name_matches(given: &[u8], wanted: &str) -> bool {
    let (given, wanted) = (fold(given), fold(wanted.as_bytes()));
    given == wanted || given == [&b"http-"[..], &wanted].concat()
}

/// Values are trimmed of spaces and tabs.
pub fn trim(v: &[u8]) -> &[u8] {
    let blank = |c: &u8| *c == b' ' || *c == b'\t';
    let start = v.iter().take_while(|c| blank(c)).count();
    let end = v.len() - v[start..].iter().rev().take_while(|c| blank(c)).count();
    &v[start..end]
}

/// The first non-empty (trimmed) value of `wanted`.
pub fn header<'a>(headers: &[(&'a [u8], &'a [u8])], wanted: &str) -> Option<&'a [u8]> {
    headers.iter().filter(|(n, _)| name_matches(n, wanted)).map(|(_, v)| trim(v)).find(|v| !v.is_empty())
}

/// Hex in either case, exactly `2 * len` digits.
fn hex_decode(text: &[u8]) -> Option<Vec<u8>> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks(2).map(|p| Some(digit(p[0])? << 4 | digit(p[1])?)).collect()
}

/// Standard-alphabet base64 with no stray bits in the last character (one
/// text per byte string, up to padding). Padding is optional and may be
/// partial (`AA`, `AA=`, `AA==`), as the `base64` crate's `Indifferent`
/// mode reads it; never more than the canonical amount.
pub fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let data_len = text.iter().rposition(|&c| c != b'=').map_or(0, |i| i + 1);
    let pads = text.len() - data_len;
    if data_len % 4 == 1 || pads > (4 - data_len % 4) % 4 {
        return None;
    }
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = Vec::new();
    for &c in &text[..data_len] {
        bits = bits << 6 | ALPHABET.iter().position(|&a| a == c)? as u32;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    (bits == 0).then_some(out)
}

/// A MAC of exactly `len` bytes written in `encoding`.
pub fn decode(encoding: Encoding, text: &[u8], len: usize) -> Option<Vec<u8>> {
    match encoding {
        Encoding::Hex => hex_decode(text),
        Encoding::Base64 => base64_decode(text),
    }
    .filter(|mac| mac.len() == len)
}

/// WordPress 6.1 `wp_specialchars_decode($s, ENT_QUOTES)` as written in
/// wp-includes/formatting.php: the `preg_replace` pass that drops leading
/// zeros, then one `strtr` pass over the translation table.
pub fn wp_specialchars_decode(s: &[u8]) -> Vec<u8> {
    let patterns: [(bool, &[u8], &[u8]); 8] = [
        (false, b"39", b"&#039;"),
        (true, b"27", b"&#x27;"),
        (false, b"34", b"&#034;"),
        (true, b"22", b"&#x22;"),
        (false, b"60", b"&#060;"),
        (false, b"62", b"&#062;"),
        (false, b"38", b"&#038;"),
        (true, b"26", b"&#x26;"),
    ];
    let mut s = s.to_vec();
    for (hex, digits, replacement) in patterns {
        s = preg_replace_zeros(&s, hex, digits, replacement);
    }
    let table: [(&[u8], u8); 12] = [
        (b"&#039;", b'\''),
        (b"&#x27;", b'\''),
        (b"&quot;", b'"'),
        (b"&#034;", b'"'),
        (b"&#x22;", b'"'),
        (b"&lt;", b'<'),
        (b"&#060;", b'<'),
        (b"&gt;", b'>'),
        (b"&#062;", b'>'),
        (b"&amp;", b'&'),
        (b"&#038;", b'&'),
        (b"&#x26;", b'&'),
    ];
    let mut out = Vec::new();
    let mut i = 0;
    'scan: while i < s.len() {
        // strtr tries the longest key first.
        for len in [6, 5, 4] {
            if let Some((key, ch)) = table.iter().find(|(k, _)| k.len() == len && s[i..].starts_with(k)) {
                out.push(*ch);
                i += key.len();
                continue 'scan;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// `preg_replace('/&#0*<digits>;/', …)`, or `'/&#x0*<digits>;/i'` when `hex`.
fn preg_replace_zeros(s: &[u8], hex: bool, digits: &[u8], replacement: &[u8]) -> Vec<u8> {
    let match_at = |i: usize| -> Option<usize> {
        let mut j = i + 2;
        if s.get(i..j)? != b"&#" {
            return None;
        }
        if hex {
            if !matches!(s.get(j)?, b'x' | b'X') {
                return None;
            }
            j += 1;
        }
        while s.get(j) == Some(&b'0') {
            j += 1;
        }
        let end = j + digits.len() + 1;
        (s.get(j..end)? == [digits, b";"].concat()).then_some(end)
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        match match_at(i) {
            Some(end) => {
                out.extend_from_slice(replacement);
                i = end;
            }
            None => {
                out.push(s[i]);
                i += 1;
            }
        }
    }
    out
}

/// A plain-decimal timestamp of at most 15 digits.
pub fn timestamp(text: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(text).ok()?;
    if text.is_empty() || text.len() > 15 || !text.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The README's verification rules, step by step.
pub fn check(
    scheme: &Scheme,
    body: &[u8],
    headers: &[(&[u8], &[u8])],
    secrets: &[&[u8]],
    clock: Clock,
) -> Result<Reason, BadSecret> {
    if secrets.is_empty() {
        return Err(BadSecret::Empty);
    }
    let keys = secrets.iter().map(|s| scheme.key.derive(s).map(|k| k.into_owned())).collect::<Result<Vec<_>, _>>()?;
    Ok(verdict(scheme, body, headers, &keys, clock).err().unwrap_or(Reason::Ok))
}

fn verdict(
    scheme: &Scheme,
    body: &[u8],
    headers: &[(&[u8], &[u8])],
    keys: &[Vec<u8>],
    clock: Clock,
) -> Result<(), Reason> {
    let len = scheme.algo.output_len();
    let mut timestamp: Option<&[u8]> = None;
    let mut candidates = Vec::new();
    match &scheme.signature {
        SignatureForm::Header { name, prefix, encoding } => {
            let value = header(headers, name).ok_or(Reason::MissingSignature)?;
            let prefix = prefix.as_bytes();
            if value.len() < prefix.len() || !value[..prefix.len()].eq_ignore_ascii_case(prefix) {
                return Err(Reason::MalformedSignature);
            }
            candidates.extend(decode(*encoding, &value[prefix.len()..], len));
        }
        SignatureForm::Stripe => {
            let value = header(headers, "Stripe-Signature").ok_or(Reason::MissingSignature)?;
            for item in value.split(|&c| c == b',') {
                if let Some(t) = item.strip_prefix(b"t=") {
                    timestamp = timestamp.or(Some(t));
                } else if let Some(sig) = item.strip_prefix(b"v1=") {
                    candidates.extend(decode(Encoding::Hex, sig, len));
                }
            }
        }
        SignatureForm::StandardWebhooks => {
            let value = header(headers, "webhook-signature").ok_or(Reason::MissingSignature)?;
            for item in value.split(|&c| c == b' ') {
                if let Some(sig) = item.strip_prefix(b"v1,") {
                    candidates.extend(decode(Encoding::Base64, sig, len));
                }
            }
        }
    }
    candidates.truncate(MAX_CANDIDATES);
    if candidates.is_empty() {
        return Err(Reason::MalformedSignature);
    }
    if matches!(scheme.signature, SignatureForm::Stripe) && timestamp.is_none() {
        return Err(Reason::MissingTimestamp);
    }
    if let Some(h) = &scheme.timestamp_header {
        timestamp = Some(header(headers, h).ok_or(Reason::MissingTimestamp)?);
    }
    if let Some(ts) = timestamp {
        let t = self::timestamp(ts).ok_or(Reason::MalformedTimestamp)?;
        if clock.now as i128 - t as i128 > clock.tolerance as i128 {
            return Err(Reason::TimestampTooOld);
        }
        if t as i128 - clock.now as i128 > clock.tolerance as i128 {
            return Err(Reason::TimestampInFuture);
        }
    }
    let id = match (&scheme.id_header, scheme.signs_id()) {
        (Some(h), true) => header(headers, h).ok_or(Reason::MissingId)?,
        _ => b"",
    };
    let mut content = Vec::new();
    for part in &scheme.content {
        content.extend_from_slice(match part {
            Part::Body => body,
            Part::Timestamp => timestamp.unwrap_or(b""),
            Part::Id => id,
            Part::Literal(l) => l,
        });
    }
    let matched =
        keys.iter().any(|k| candidates.iter().any(|c| hmac_uncached(scheme.algo, k, &[&content]).as_bytes() == c));
    if matched {
        Ok(())
    } else {
        Err(Reason::SignatureMismatch)
    }
}
