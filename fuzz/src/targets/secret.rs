//! How a configured secret becomes key bytes: WooCommerce's entity decoding
//! matches WordPress's own algorithm byte for byte, a Standard Webhooks
//! secret decodes exactly when it is `whsec_` + base64, a raw secret is
//! used as it is, and an empty one is refused by every form.
//!
//! Input: the secret.

use std::borrow::Cow;

use hookguard::keys::{BadSecret, KeyForm};

use crate::reference;

pub fn run(secret: &[u8]) {
    if secret.is_empty() {
        for form in [KeyForm::Raw, KeyForm::WpSpecialcharsDecode, KeyForm::Whsec] {
            assert_eq!(form.derive(secret), Err(BadSecret::Empty), "{form:?}");
        }
        return;
    }
    assert!(matches!(KeyForm::Raw.derive(secret), Ok(Cow::Borrowed(k)) if k == secret));

    let woo = KeyForm::WpSpecialcharsDecode.derive(secret).expect("any non-empty secret");
    assert_eq!(*woo, reference::wp_specialchars_decode(secret)[..], "wp_specialchars_decode");
    assert!(!woo.is_empty() && woo.len() <= secret.len());

    let b64 = secret.strip_prefix(b"whsec_").unwrap_or(secret);
    let expected = reference::base64_decode(b64).filter(|k| !k.is_empty()).ok_or(BadSecret::NotWhsec);
    assert_eq!(KeyForm::Whsec.derive(secret).map(Cow::into_owned), expected, "whsec");
}
