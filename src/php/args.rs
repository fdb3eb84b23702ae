//! Turning PHP arguments into core types, with PHP-style misuse errors.
//!
//! Misuse by the programmer is a `ValueError`/`TypeError` naming the
//! argument in php-src's words ("f(): Argument #2 ($limit) must be of type
//! int, string given"). Messages never quote a secret or header value.
//!
//! `int` and `string` parameters arrive as [`IntParam`] / [`StrParam`], which
//! declare their PHP type but convert in the function body: ext-php-rs's own
//! conversion words a wrong type its own way and skips PHP's weak rules.

use ext_php_rs::convert::{FromZval, FromZvalMut};
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::ce;
use smallvec::{smallvec, SmallVec};

use super::engine::{self, for_each_entry, value_name};
use crate::headers::Headers;
use crate::scheme::Layout;

/// The PHP function being called, for error messages.
#[derive(Clone, Copy)]
pub struct Caller(pub &'static str);

impl Caller {
    pub fn value_error(self, arg: (u8, &str), what: impl std::fmt::Display) -> PhpException {
        PhpException::new(format!("{}(): Argument #{} (${}) {what}", self.0, arg.0, arg.1), 0, ce::value_error())
    }

    pub fn type_error(self, arg: (u8, &str), what: impl std::fmt::Display) -> PhpException {
        PhpException::new(format!("{}(): Argument #{} (${}) {what}", self.0, arg.0, arg.1), 0, ce::type_error())
    }
}

/// An `int` parameter, converted the way PHP converts arguments of its own
/// functions: in a file without `declare(strict_types=1)`, `"100"`, `" 100"`
/// and `100.0` are 100 and `true` is 1 (a WordPress option is a string);
/// with it, only an int is. `null` is refused in both modes (PHP 8.1
/// deprecated it for internal functions). An optional one is taken as
/// `Option<IntParam>` (see `hookguard_rate_limit`): `None` when omitted,
/// `Given` for an explicit `null`, refused here like any other argument.
pub enum IntParam<'a> {
    Given(&'a Zval),
    Default(i64),
}

impl<'a> FromZval<'a> for IntParam<'a> {
    const TYPE: DataType = DataType::Long;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        Some(IntParam::Given(zval))
    }
}

/// A `string` parameter; PHP's weak rules turn an int or float into its
/// decimal text (outside strict_types), as for PHP's own functions.
pub struct StrParam<'a>(&'a mut Zval);

impl<'a> FromZvalMut<'a> for StrParam<'a> {
    const TYPE: DataType = DataType::String;

    fn from_zval_mut(zval: &'a mut Zval) -> Option<Self> {
        Some(StrParam(zval))
    }
}

impl Caller {
    pub fn int(self, arg: (u8, &str), param: IntParam<'_>) -> Result<i64, PhpException> {
        let z = match param {
            IntParam::Default(n) => return Ok(n),
            IntParam::Given(z) => z,
        };
        if let Some(n) = z.long() {
            return Ok(n);
        }
        let converted = if z.is_null() { None } else { engine::parse_long_weak(z, arg.0.into()) };
        converted.ok_or_else(|| self.type_error(arg, format!("must be of type int, {} given", value_name(z))))
    }

    pub fn bytes<'a>(self, arg: (u8, &str), param: StrParam<'a>) -> Result<&'a [u8], PhpException> {
        let z = param.0;
        if !z.is_string() {
            // Named before the engine converts it in place.
            let given = value_name(z);
            let converted = if z.is_null() { None } else { engine::parse_str_weak(z, arg.0.into()) };
            return converted.ok_or_else(|| self.type_error(arg, format!("must be of type string, {given} given")));
        }
        let z: &'a Zval = z;
        Ok(z.zend_str().map_or(&[], |s| s.as_bytes()))
    }

    /// A `string` parameter that, like `hash_equals()`'s, is never coerced.
    pub fn strict_bytes<'a>(self, arg: (u8, &str), param: StrParam<'a>) -> Result<&'a [u8], PhpException> {
        let z: &'a Zval = param.0;
        z.zend_str()
            .map(|s| s.as_bytes())
            .ok_or_else(|| self.type_error(arg, format!("must be of type string, {} given", value_name(z))))
    }
}

/// Request headers in any of PHP's shapes. Values that are neither strings
/// nor lists of strings are ignored: no PHP API hands headers over as such.
pub fn headers<'a>(ht: &'a ZendHashTable, wanted: &'a [&'a str]) -> Headers<'a> {
    let mut h = Headers::only(wanted);
    for_each_entry(ht, |key, value| {
        let Some(name) = key else { return };
        if let Some(s) = value.zend_str() {
            h.push(name, s.as_bytes());
        } else if let Some(list) = value.array() {
            for_each_entry(list, |_, item| {
                if let Some(s) = item.zend_str() {
                    h.push(name, s.as_bytes());
                }
            });
        }
    });
    h
}

/// A required `array` parameter (declared as `array` to reflection),
/// checked by [`array`].
pub struct ArrayParam<'a>(pub &'a Zval);

impl<'a> FromZval<'a> for ArrayParam<'a> {
    const TYPE: DataType = DataType::Array;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        Some(ArrayParam(zval))
    }
}

/// An `array` argument; ext-php-rs's own message for a wrong type does not
/// name the function or the argument's position, so check it here.
pub fn array<'a>(caller: Caller, arg: (u8, &str), z: &'a Zval) -> Result<&'a ZendHashTable, PhpException> {
    z.array().ok_or_else(|| caller.type_error(arg, format!("must be of type array, {} given", value_name(z))))
}

/// `string|array $secrets`: one secret or a rotation list, all non-empty strings.
pub fn secrets<'a>(caller: Caller, arg: (u8, &str), z: &'a Zval) -> Result<SmallVec<[&'a [u8]; 4]>, PhpException> {
    if let Some(s) = z.zend_str() {
        return Ok(smallvec![s.as_bytes()]);
    }
    let Some(list) = z.array() else {
        return Err(caller.type_error(arg, format!("must be of type array|string, {} given", value_name(z))));
    };
    let mut out = SmallVec::new();
    let mut bad_type = None;
    for_each_entry(list, |_, item| match item.zend_str() {
        Some(s) => out.push(s.as_bytes()),
        None => bad_type = Some(value_name(item)),
    });
    if let Some(t) = bad_type {
        return Err(caller.type_error(arg, format!("must contain only strings, {t} found")));
    }
    if out.is_empty() {
        return Err(caller.value_error(arg, "must not be empty"));
    }
    Ok(out)
}

/// `array $options` for sign/verify/check.
#[derive(Default)]
pub struct Options {
    pub layout: Layout,
    pub tolerance: Option<u64>,
    pub now: Option<i64>,
    pub timestamp: Option<i64>,
    pub id: Option<Vec<u8>>,
}

pub const OPTION_KEYS: [&str; 11] = [
    "tolerance",
    "now",
    "timestamp",
    "id",
    "algo",
    "encoding",
    "header",
    "prefix",
    "timestamp_header",
    "id_header",
    "signed_content",
];

pub fn options(caller: Caller, arg: (u8, &str), z: Option<&Zval>) -> Result<Options, PhpException> {
    let mut o = Options::default();
    let Some(z) = z else { return Ok(o) };
    let ht = array(caller, arg, z)?;
    let mut err = None;
    for_each_entry(ht, |key, value| {
        if err.is_some() {
            return;
        }
        let key = key.and_then(|k| std::str::from_utf8(k).ok()).unwrap_or("");
        err = set_option(caller, arg, &mut o, key, value).err();
    });
    match err {
        Some(e) => Err(e),
        None => Ok(o),
    }
}

fn set_option(caller: Caller, arg: (u8, &str), o: &mut Options, key: &str, v: &Zval) -> Result<(), PhpException> {
    let int = |v: &Zval| {
        v.long().filter(|_| v.is_long()).ok_or_else(|| {
            caller.type_error(arg, format!("option \"{key}\" must be of type int, {} given", value_name(v)))
        })
    };
    let string = |v: &Zval| {
        v.str().map(str::to_string).ok_or_else(|| {
            caller.type_error(arg, format!("option \"{key}\" must be of type string, {} given", value_name(v)))
        })
    };
    match key {
        "tolerance" => {
            let t = int(v)?;
            o.tolerance = Some(
                u64::try_from(t)
                    .map_err(|_| caller.value_error(arg, "option \"tolerance\" must be greater than or equal to 0"))?,
            );
        }
        "now" => o.now = Some(int(v)?),
        "timestamp" => {
            let t = int(v)?;
            if t < 0 {
                return Err(caller.value_error(arg, "option \"timestamp\" must be greater than or equal to 0"));
            }
            o.timestamp = Some(t);
        }
        "id" => {
            let s = v.zend_str().ok_or_else(|| {
                caller.type_error(arg, format!("option \"id\" must be of type string, {} given", value_name(v)))
            })?;
            if s.as_bytes().is_empty() {
                return Err(caller.value_error(arg, "option \"id\" must not be empty"));
            }
            o.id = Some(s.as_bytes().to_vec());
        }
        "algo" => o.layout.algo = Some(string(v)?),
        "encoding" => o.layout.encoding = Some(string(v)?),
        "header" => o.layout.header = Some(string(v)?),
        "prefix" => o.layout.prefix = Some(string(v)?),
        "timestamp_header" => o.layout.timestamp_header = Some(string(v)?),
        "id_header" => o.layout.id_header = Some(string(v)?),
        "signed_content" => o.layout.signed_content = Some(string(v)?),
        _ => {
            return Err(caller.value_error(
                arg,
                format!(
                    "has an unknown option \"{}\"; known options are \"{}\"",
                    key.escape_debug(),
                    OPTION_KEYS.join("\", \"")
                ),
            ))
        }
    }
    Ok(())
}
