//! `int` parameters converted the way PHP converts them for its own
//! functions. In a file without `declare(strict_types=1)`, `"100"`, `" 100"`
//! and `100.0` are 100 and `true` is 1 (a WordPress option is a string);
//! with it, only an int is. ext-php-rs's own `i64` accepts only an int in
//! either mode.

use ext_php_rs::convert::{FromZval, StubLiteral};
use ext_php_rs::ffi::{zend_long, zval};
use ext_php_rs::flags::DataType;
use ext_php_rs::types::Zval;

extern "C" {
    // Zend/zend_API.h (ZEND_API; ZEND_FASTCALL is the plain C convention on
    // 64-bit targets): the non-int path of Z_PARAM_LONG. Refuses everything
    // when the caller uses strict types, else applies PHP's weak rules.
    fn zend_parse_arg_long_slow(arg: *const zval, dest: *mut zend_long, arg_num: u32) -> bool;
}

/// The engine's "no argument number" value: it then skips the lookups of
/// the argument's name (which we cannot give it) and, with them, only the
/// "float loses precision" deprecation.
const NO_ARG_NUM: u32 = u32::MAX;

/// An `int` parameter with PHP's coercion rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhpInt(pub i64);

impl From<i64> for PhpInt {
    fn from(n: i64) -> Self {
        PhpInt(n)
    }
}

impl StubLiteral for PhpInt {
    fn stub_literal(&self) -> String {
        self.0.to_string()
    }
}

impl<'a> FromZval<'a> for PhpInt {
    const TYPE: DataType = DataType::Long;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        if let Some(n) = zval.long() {
            return Some(PhpInt(n));
        }
        // PHP 8.1 deprecated null for int parameters; refuse it outright
        // (the engine would need the argument number to word the notice).
        if zval.is_null() {
            return None;
        }
        let mut n: zend_long = 0;
        // SAFETY: arguments are converted while the engine runs this
        // extension's function, so EG(current_execute_data) is its frame and
        // the caller's strict_types flag is one frame up; `zval` is a live
        // argument and `n` a valid destination.
        let accepted = unsafe { zend_parse_arg_long_slow(std::ptr::from_ref(zval).cast::<zval>(), &mut n, NO_ARG_NUM) };
        accepted.then_some(PhpInt(n))
    }
}
