//! Text forms of MACs and timestamps on the wire.

use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
use base64::{alphabet, Engine as _};

/// Standard alphabet; padding optional on input, written on output.
pub const BASE64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Lower-case on output; either case accepted on input.
    Hex,
    Base64,
}

impl Encoding {
    pub fn parse(name: &str) -> Option<Encoding> {
        match name {
            "hex" => Some(Encoding::Hex),
            "base64" => Some(Encoding::Base64),
            _ => None,
        }
    }

    pub fn encode(self, bytes: &[u8]) -> String {
        match self {
            Encoding::Hex => hex::encode(bytes),
            Encoding::Base64 => BASE64_LENIENT.encode(bytes),
        }
    }

    /// Decodes a signature of exactly `len` bytes into `out`; `None` when the
    /// text is not of that form. Runs in time that depends only on the input.
    pub fn decode_into<'o>(self, text: &[u8], len: usize, out: &'o mut [u8; 64]) -> Option<&'o [u8]> {
        let out = &mut out[..len];
        match self {
            Encoding::Hex => {
                if text.len() != 2 * len {
                    return None;
                }
                hex::decode_to_slice(text, out).ok()?;
            }
            Encoding::Base64 => {
                // `decode_slice` needs room for the full decoded estimate.
                let mut buf = [0u8; 66];
                if text.len() > 4 * 66 / 3 {
                    return None;
                }
                let n = BASE64_LENIENT.decode_slice(text, &mut buf).ok()?;
                if n != len {
                    return None;
                }
                out.copy_from_slice(&buf[..n]);
            }
        }
        Some(out)
    }
}

/// A Unix timestamp in seconds, written as plain ASCII digits (at most 15,
/// which covers every date a webhook can carry; anything longer is malformed).
pub fn parse_timestamp(text: &[u8]) -> Option<i64> {
    if text.is_empty() || text.len() > 15 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_only_exact_lengths() {
        let mut out = [0u8; 64];
        assert_eq!(Encoding::Hex.decode_into(b"0aFF", 2, &mut out), Some(&[10u8, 255][..]));
        assert_eq!(Encoding::Hex.decode_into(b"0aF", 2, &mut out), None);
        assert_eq!(Encoding::Hex.decode_into(b"0aFF00", 2, &mut out), None);
        assert_eq!(Encoding::Hex.decode_into(b"zz", 1, &mut out), None);
        assert_eq!(Encoding::Base64.decode_into(b"AAE=", 2, &mut out), Some(&[0u8, 1][..]));
        assert_eq!(Encoding::Base64.decode_into(b"AAE", 2, &mut out), Some(&[0u8, 1][..]));
        assert_eq!(Encoding::Base64.decode_into(b"AAEC", 2, &mut out), None);
        assert_eq!(Encoding::Base64.decode_into(&[b'A'; 400], 32, &mut out), None);
    }

    #[test]
    fn timestamps_are_plain_digits() {
        assert_eq!(parse_timestamp(b"1700000000"), Some(1_700_000_000));
        assert_eq!(parse_timestamp(b"0001"), Some(1));
        for bad in [&b""[..], b"-1", b"+1", b"1.5", b"1e9", b" 1", b"9999999999999999"] {
            assert_eq!(parse_timestamp(bad), None);
        }
    }
}
