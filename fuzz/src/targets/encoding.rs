//! `Encoding::decode_into`, the signature decoder: agrees with the reference
//! decoder, accepts one text per MAC (up to hex case and base64 padding, so
//! a signature cannot be re-spelled), and decodes whatever it encodes.
//!
//! Input: one control byte (encoding, MAC length), then the text.

use hookguard::encoding::Encoding;

use crate::reference;

pub fn run(data: &[u8]) {
    let Some((&control, text)) = data.split_first() else { return };
    let encoding = if control & 1 == 0 { Encoding::Hex } else { Encoding::Base64 };
    let len = [20, 32, 64, 1, 0][usize::from(control >> 1) % 5];

    let mut out = [0u8; 64];
    let decoded = encoding.decode_into(text, len, &mut out).map(<[u8]>::to_vec);
    assert_eq!(decoded, reference::decode(encoding, text, len), "decoder disagrees with the reference");
    if let Some(mac) = &decoded {
        let canonical = encoding.encode(mac);
        match encoding {
            Encoding::Hex => assert!(canonical.as_bytes().eq_ignore_ascii_case(text), "hex re-spelled beyond case"),
            Encoding::Base64 => {
                let unpadded = |t: &[u8]| t[..t.iter().rposition(|&c| c != b'=').map_or(0, |i| i + 1)].to_vec();
                assert_eq!(unpadded(canonical.as_bytes()), unpadded(text), "base64 re-spelled beyond padding");
            }
        }
    }

    // The text's bytes as a MAC: what the encoder writes decodes back.
    if text.len() >= len {
        let mac = &text[..len];
        let written = encoding.encode(mac);
        assert_eq!(encoding.decode_into(written.as_bytes(), len, &mut out), Some(mac), "encode then decode");
        if encoding == Encoding::Base64 {
            let unpadded = written.trim_end_matches('=');
            assert_eq!(encoding.decode_into(unpadded.as_bytes(), len, &mut out), Some(mac), "unpadded base64 decodes");
        }
    }
}
