//! How each sender turns its configured secret into HMAC key bytes.

use std::borrow::Cow;

use base64::Engine as _;

use crate::encoding::BASE64_LENIENT;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyForm {
    /// The secret's bytes as they are (most senders, Stripe's whole `whsec_…`).
    Raw,
    /// WooCommerce: `wp_specialchars_decode($secret, ENT_QUOTES)`
    /// (`WC_Webhook::generate_signature()`).
    WpSpecialcharsDecode,
    /// Standard Webhooks: `whsec_<base64>`; the key is the decoded bytes.
    Whsec,
}

/// Why a configured secret cannot be used (a programming error, not a forgery).
#[derive(Debug, PartialEq, Eq)]
pub enum BadSecret {
    Empty,
    NotWhsec,
}

impl KeyForm {
    pub fn derive<'a>(self, secret: &'a [u8]) -> Result<Cow<'a, [u8]>, BadSecret> {
        if secret.is_empty() {
            return Err(BadSecret::Empty);
        }
        match self {
            KeyForm::Raw => Ok(Cow::Borrowed(secret)),
            KeyForm::WpSpecialcharsDecode => Ok(wp_specialchars_decode_quotes(secret)),
            KeyForm::Whsec => {
                let b64 = secret.strip_prefix(b"whsec_").unwrap_or(secret);
                match BASE64_LENIENT.decode(b64) {
                    Ok(key) if !key.is_empty() => Ok(Cow::Owned(key)),
                    _ => Err(BadSecret::NotWhsec),
                }
            }
        }
    }
}

/// WordPress's `wp_specialchars_decode($s, ENT_QUOTES)` (wp-includes/formatting.php),
/// byte for byte: the named entities `&quot; &lt; &gt; &amp;` and the numeric
/// entities for `' " < > &` with any number of leading zeros (decimal, or hex
/// with `x`/`X`). Everything else, including `&#39` without `;`, `&QUOT;` and
/// invalid UTF-8, passes through. One left-to-right pass, no re-scanning, as
/// `strtr` does.
pub fn wp_specialchars_decode_quotes(s: &[u8]) -> Cow<'_, [u8]> {
    if !s.contains(&b'&') {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'&' {
            if let Some((ch, len)) = entity_at(&s[i..]) {
                out.push(ch);
                i += len;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    Cow::Owned(out)
}

fn entity_at(s: &[u8]) -> Option<(u8, usize)> {
    for (name, ch) in [(&b"&quot;"[..], b'"'), (b"&lt;", b'<'), (b"&gt;", b'>'), (b"&amp;", b'&')] {
        if s.starts_with(name) {
            return Some((ch, name.len()));
        }
    }
    let rest = s.strip_prefix(b"&#")?;
    let (hex, rest) = match rest.first() {
        Some(b'x' | b'X') => (true, &rest[1..]),
        _ => (false, rest),
    };
    let zeros = rest.iter().take_while(|&&c| c == b'0').count();
    let digits = rest[zeros..].get(..3)?;
    let ch = match (hex, &digits[..2], digits[2]) {
        (false, b"39", b';') => b'\'',
        (false, b"34", b';') => b'"',
        (false, b"60", b';') => b'<',
        (false, b"62", b';') => b'>',
        (false, b"38", b';') => b'&',
        (true, b"27", b';') => b'\'',
        (true, b"22", b';') => b'"',
        (true, b"26", b';') => b'&',
        _ => return None,
    };
    Some((ch, 2 + usize::from(hex) + zeros + 3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(s: &str) -> String {
        String::from_utf8(wp_specialchars_decode_quotes(s.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn decodes_what_wordpress_decodes() {
        assert_eq!(decode("a&amp;b"), "a&b");
        assert_eq!(decode("&quot;&lt;&gt;&#039;&#39;&#x27;&#X27;&#0000039;"), "\"<>''''\'");
        assert_eq!(decode("&#034;&#x22;&#060;&#062;&#038;&#x26;&#x0026;"), "\"\"<>&&&");
        // strtr does not re-scan its output.
        assert_eq!(decode("&amp;lt;"), "&lt;");
    }

    #[test]
    fn leaves_everything_else_alone() {
        for s in ["&#39", "&QUOT;", "&apos;", "&#x3c;", "&#60", "&", "&&", "&#;", "&#x;", "&nbsp;", "&#0x27;"] {
            assert_eq!(decode(s), s, "{s}");
        }
    }

    #[test]
    fn whsec_secrets_decode_to_their_bytes() {
        let key = KeyForm::Whsec.derive(b"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(key.len(), 24);
        assert_eq!(KeyForm::Whsec.derive(b"whsec_!!!"), Err(BadSecret::NotWhsec));
        assert_eq!(KeyForm::Raw.derive(b""), Err(BadSecret::Empty));
    }
}
