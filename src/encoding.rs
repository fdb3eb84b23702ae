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
                if !decode_canonical_base64(text, out) {
                    decode_base64(text, out)?;
                }
            }
        }
        Some(out)
    }
}

/// [`BASE64_LENIENT`] decoding of exactly `out.len()` bytes.
fn decode_base64(text: &[u8], out: &mut [u8]) -> Option<()> {
    // `decode_slice` needs room for the full decoded estimate.
    let mut buf = [0u8; 66];
    if text.len() > 4 * 66 / 3 {
        return None;
    }
    let n = BASE64_LENIENT.decode_slice(text, &mut buf).ok()?;
    if n != out.len() {
        return None;
    }
    out.copy_from_slice(&buf[..n]);
    Some(())
}

/// For each of a group's four character positions, every byte's 6-bit value
/// already shifted into place in 24 bits; bit 31 marks a byte outside the
/// standard alphabet.
const BASE64_QUADS: [[u32; 256]; 4] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut t = [[1u32 << 31; 256]; 4];
    let mut position = 0;
    while position < 4 {
        let mut i = 0;
        while i < 64 {
            t[position][alphabet[i] as usize] = (i as u32) << (18 - 6 * position);
            i += 1;
        }
        position += 1;
    }
    t
};

/// The signature every sender writes, decoded by table, a third of the
/// `base64` crate's cost: the canonical text of `out.len()` bytes, with or
/// without its padding. False for any other text, which [`decode_base64`]
/// then decides; so the two accept the same texts (a test compares them).
fn decode_canonical_base64(text: &[u8], out: &mut [u8]) -> bool {
    let chars = (4 * out.len()).div_ceil(3);
    let padding = (3 - out.len() % 3) % 3;
    let text = match text.len() {
        n if n == chars => text,
        n if n == chars + padding && text[chars..].iter().all(|&c| c == b'=') => &text[..chars],
        _ => return false,
    };
    // Four characters (24 bits) make three bytes.
    let quad = |q: &[u8]| {
        BASE64_QUADS[0][q[0] as usize]
            | BASE64_QUADS[1][q[1] as usize]
            | BASE64_QUADS[2][q[2] as usize]
            | BASE64_QUADS[3][q[3] as usize]
    };
    let quads = text.chunks_exact(4);
    let tail = quads.remainder();
    let bytes = out.len() % 3;
    let (whole, rest) = out.split_at_mut(out.len() - bytes);
    let mut seen = 0u32;
    for (q, o) in quads.zip(whole.chunks_exact_mut(3)) {
        let v = quad(q);
        seen |= v;
        o.copy_from_slice(&v.to_be_bytes()[1..]);
    }
    // The last two or three characters hold one or two bytes and 4 or 2
    // unused bits, which must be zero, as the crate requires.
    let mut last = [b'A'; 4];
    last[..tail.len()].copy_from_slice(tail);
    let v = quad(&last);
    rest.copy_from_slice(&v.to_be_bytes()[1..=bytes]);
    let unused = if bytes == 1 { 0xffff } else { 0xff };
    (seen | v) >> 31 == 0 && v & unused == 0
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
    fn the_table_decoder_accepts_what_the_crate_accepts() {
        // Every MAC length, from valid signatures mutated one character at a
        // time (every byte value, padding, length): the decision and the bytes
        // of decode_into (table first) equal the crate's alone.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for len in [20usize, 32, 64] {
            for _ in 0..300 {
                let mac: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                let mut text = Encoding::Base64.encode(&mac).into_bytes();
                match next() % 6 {
                    0 => {}
                    1 => text.retain(|&c| c != b'='),
                    2 => text.push(b'='),
                    3 => text.truncate(text.len() - 1),
                    _ => {
                        let i = next() as usize % text.len();
                        text[i] = next() as u8;
                    }
                }
                assert_same_decision(&text, len);
            }
            // The last character carries unused bits: only those at zero are canonical.
            let mut text = Encoding::Base64.encode(&vec![0u8; len]).into_bytes();
            let last = text.iter().rposition(|&c| c != b'=').unwrap();
            for c in 0..=255u8 {
                text[last] = c;
                assert_same_decision(&text, len);
            }
        }
    }

    fn assert_same_decision(text: &[u8], len: usize) {
        let mut fast = [0u8; 64];
        let mut crate_only = [0u8; 64];
        let expected = decode_base64(text, &mut crate_only[..len]).map(|()| &crate_only[..len]);
        assert_eq!(Encoding::Base64.decode_into(text, len, &mut fast), expected, "{:?}", String::from_utf8_lossy(text));
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
