//! Marks secret parameters `#[\SensitiveParameter]` (PHP 8.2+), the way
//! php-src's generated arginfo does for `password_hash()`: an exception's
//! stack trace then shows `Object(SensitiveParameterValue)` instead of the
//! secret, whatever `zend.exception_ignore_args` says.

use std::sync::Once;

use super::engine;

/// Which parameters (0-based) of which functions hold secrets.
pub const SENSITIVE: &[(&str, &[u32])] =
    &[("hookguard_sign", &[2]), ("hookguard_verify", &[3]), ("hookguard_check", &[3]), ("hookguard_equals", &[0, 1])];

/// Which parameters of which methods (class and method in lower case).
pub const SENSITIVE_METHODS: &[(&str, &str, &[u32])] = &[("hookguard\\verifier", "__construct", &[1])];

/// Runs at module start-up, after the functions are registered.
pub fn mark_secret_parameters() {
    for (function, parameters) in SENSITIVE {
        engine::mark_sensitive(function, parameters);
    }
}

/// Runs once per process at the first request's start: ext-php-rs registers
/// classes after the module's start-up function has returned.
pub fn mark_secret_method_parameters() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for (class, method, parameters) in SENSITIVE_METHODS {
            engine::mark_sensitive_method(class, method, parameters);
        }
    });
}
