//! What the fuzz targets (fuzz/, `scripts/fuzz`) found, kept as plain tests.
//! Their raw inputs are in fuzz/regressions/, replayed by tests/fuzz/run.

use hookguard::encoding::Encoding;
use hookguard::scheme::{Layout, Scheme, SchemeError};

fn hmac(
    header: &str,
    timestamp_header: Option<&str>,
    id_header: Option<&str>,
    prefix: Option<&str>,
) -> Result<Scheme, SchemeError> {
    let layout = Layout {
        header: Some(header.into()),
        timestamp_header: timestamp_header.map(Into::into),
        id_header: id_header.map(Into::into),
        prefix: prefix.map(Into::into),
        ..Layout::default()
    };
    Scheme::build("hmac", &layout)
}

fn refused_option(r: Result<Scheme, SchemeError>) -> &'static str {
    match r {
        Err(SchemeError::Option(key, _)) => key,
        other => panic!("expected an option error, got {other:?}"),
    }
}

/// fuzz target `layout`: these signed deliveries no receiver could verify
/// (the receiver reads one value per header name; values are trimmed).
#[test]
fn hmac_layouts_that_could_never_verify_are_refused() {
    for ts in ["X-Sig", "x_sig", "HTTP_X_SIG"] {
        assert_eq!(refused_option(hmac("X-Sig", Some(ts), None, None)), "timestamp_header", "{ts}");
    }
    assert_eq!(refused_option(hmac("X-Sig", None, Some("x-sig"), None)), "id_header");
    assert_eq!(refused_option(hmac("X-Sig", Some("X-Ts"), Some("X_TS"), None)), "id_header");
    assert_eq!(refused_option(hmac("HTTP_X_SIG", Some("X-Sig"), None, None)), "timestamp_header");
    for prefix in [" sha256=", "\tv0=", " "] {
        assert_eq!(refused_option(hmac("X-Sig", None, None, Some(prefix))), "prefix", "{prefix:?}");
    }
    assert!(hmac("X-Sig", Some("X-Sig-Ts"), Some("X-Sig-Id"), Some("sha256= ")).is_ok());
}

/// fuzz target `check`, against its reference model: base64 padding may
/// be absent, partial or complete (never more), as the `base64` crate's
/// `Indifferent` mode reads it. Harmless: the bytes are the same MAC.
#[test]
fn base64_signatures_may_have_partial_padding() {
    let mut out = [0u8; 64];
    for text in ["AA==", "AA=", "AA"] {
        assert_eq!(Encoding::Base64.decode_into(text.as_bytes(), 1, &mut out), Some(&[0u8][..]), "{text}");
    }
    for text in ["AA===", "AB==", "A===", "AAA=="] {
        assert_eq!(Encoding::Base64.decode_into(text.as_bytes(), 1, &mut out), None, "{text}");
    }
}
