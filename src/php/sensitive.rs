//! Marks secret parameters `#[\SensitiveParameter]` (PHP 8.2+), the way
//! php-src's generated arginfo does for `password_hash()`: an exception's
//! stack trace then shows `Object(SensitiveParameterValue)` instead of the
//! secret, whatever `zend.exception_ignore_args` says.

use ext_php_rs::ffi::{ext_php_rs_compiler_globals, zend_function, zend_hash_str_find_ptr_lc, zend_string, HashTable};
use ext_php_rs::types::ZendStr;

const ZEND_ATTRIBUTE_PERSISTENT: u32 = 1;

extern "C" {
    // Zend/zend_attributes.h (ZEND_API); the inline zend_add_parameter_attribute wraps it.
    fn zend_add_attribute(
        attributes: *mut *mut HashTable,
        name: *mut zend_string,
        argc: u32,
        flags: u32,
        offset: u32,
        lineno: u32,
    ) -> *mut std::ffi::c_void;
}

/// Which parameters (0-based) of which functions hold secrets.
pub const SENSITIVE: &[(&str, &[u32])] = &[
    ("hookguard_sign", &[2]),
    ("hookguard_verify", &[3]),
    ("hookguard_check", &[3]),
    ("hookguard_equals", &[0, 1]),
];

/// Runs at module start-up, after the functions are registered.
pub fn mark_secret_parameters() {
    let name = ZendStr::new_interned("SensitiveParameter", true);
    // EG(function_table) is only set per request; at start-up the table is CG's.
    // SAFETY: the compiler globals are static for the life of the process.
    let table = unsafe { (*ext_php_rs_compiler_globals()).function_table };
    for (function, offsets) in SENSITIVE {
        // SAFETY: called during MINIT, single-threaded, with the function
        // table already holding this module's functions; a missing function
        // is skipped rather than dereferenced.
        unsafe {
            let f = zend_hash_str_find_ptr_lc(table, function.as_ptr().cast(), function.len()).cast::<zend_function>();
            if f.is_null() {
                continue;
            }
            for &offset in *offsets {
                zend_add_attribute(
                    &mut (*f).common.attributes,
                    name.as_ptr().cast_mut(),
                    0,
                    ZEND_ATTRIBUTE_PERSISTENT,
                    offset + 1,
                    0,
                );
            }
        }
    }
    // Interned strings live until engine shutdown: keep the engine's reference.
    std::mem::forget(name);
}
