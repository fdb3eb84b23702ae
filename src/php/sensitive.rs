//! Marks secret parameters `#[\SensitiveParameter]` (PHP 8.2+), the way
//! php-src's generated arginfo does for `password_hash()`: an exception's
//! stack trace then shows `Object(SensitiveParameterValue)` instead of the
//! secret, whatever `zend.exception_ignore_args` says.

use super::engine;

/// Which parameters (0-based) of which functions hold secrets.
pub const SENSITIVE: &[(&str, &[u32])] =
    &[("hookguard_sign", &[2]), ("hookguard_verify", &[3]), ("hookguard_check", &[3]), ("hookguard_equals", &[0, 1])];

/// Runs at module start-up, after the functions are registered.
pub fn mark_secret_parameters() {
    for (function, parameters) in SENSITIVE {
        engine::mark_sensitive(function, parameters);
    }
}
