//! Turning PHP arguments into core types, with PHP-style misuse errors.
//!
//! Misuse by the programmer is a `ValueError`/`TypeError` naming the
//! argument, as `ext/hash` does. Messages never quote a secret or header value.

use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::ce;
use smallvec::{smallvec, SmallVec};

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

const HASH_FLAG_PACKED: u32 = 1 << 2;

/// Calls `f` with each (string key or `None`, value) of `ht`, in order,
/// without copying keys: header arrays are read on every request.
pub fn for_each_entry<'a>(ht: &'a ZendHashTable, mut f: impl FnMut(Option<&'a [u8]>, &'a Zval)) {
    // SAFETY: reads a live, borrowed zend_array the way ZEND_HASH_FOREACH
    // does: nNumUsed slots, skipping IS_UNDEF holes; packed arrays (PHP 8.2+)
    // store bare zvals, hashed ones store Buckets with an optional key.
    unsafe {
        let used = ht.nNumUsed as usize;
        if used == 0 {
            return;
        }
        if ht.u.flags & HASH_FLAG_PACKED != 0 {
            let base = ht.__bindgen_anon_1.arPacked as *const Zval;
            for i in 0..used {
                visit(None, &*base.add(i), &mut f);
            }
        } else {
            let base = ht.__bindgen_anon_1.arData;
            for i in 0..used {
                let bucket = &*base.add(i);
                let key = bucket.key.as_ref().map(|k| {
                    std::slice::from_raw_parts((*k).val.as_ptr().cast::<u8>(), (*k).len)
                });
                visit(key, &bucket.val, &mut f);
            }
        }
    }
}

fn visit<'a>(key: Option<&'a [u8]>, value: &'a Zval, f: &mut impl FnMut(Option<&'a [u8]>, &'a Zval)) {
    // SAFETY: reading the type byte of a live zval. IS_UNDEF (0) marks a
    // deleted slot; `dereference` follows references and INDIRECT slots.
    // (`get_type()` is a full conversion: too slow for every `$_SERVER` key.)
    if unsafe { value.u1.v.type_ } != 0 {
        f(key, value.dereference());
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

/// An `array` argument; ext-php-rs's own message for a wrong type does not
/// name the function or the argument's position, so check it here.
pub fn array<'a>(caller: Caller, arg: (u8, &str), z: &'a Zval) -> Result<&'a ZendHashTable, PhpException> {
    z.array().ok_or_else(|| caller.type_error(arg, format!("must be of type array, {} given", type_name(z))))
}

/// `string|array $secrets`: one secret or a rotation list, all non-empty strings.
pub fn secrets<'a>(caller: Caller, arg: (u8, &str), z: &'a Zval) -> Result<SmallVec<[&'a [u8]; 4]>, PhpException> {
    if let Some(s) = z.zend_str() {
        return Ok(smallvec![s.as_bytes()]);
    }
    let Some(list) = z.array() else {
        return Err(caller.type_error(arg, format!("must be of type array|string, {} given", type_name(z))));
    };
    let mut out = SmallVec::new();
    let mut bad_type = None;
    for_each_entry(list, |_, item| match item.zend_str() {
        Some(s) => out.push(s.as_bytes()),
        None => bad_type = Some(type_name(item)),
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
            caller.type_error(arg, format!("option \"{key}\" must be of type int, {} given", type_name(v)))
        })
    };
    let string = |v: &Zval| {
        v.str().map(str::to_string).ok_or_else(|| {
            caller.type_error(arg, format!("option \"{key}\" must be of type string, {} given", type_name(v)))
        })
    };
    match key {
        "tolerance" => {
            let t = int(v)?;
            o.tolerance = Some(u64::try_from(t).map_err(|_| caller.value_error(arg, "option \"tolerance\" must be greater than or equal to 0"))?);
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
                caller.type_error(arg, format!("option \"id\" must be of type string, {} given", type_name(v)))
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
                format!("has an unknown option \"{}\"; known options are \"{}\"", key.escape_debug(), OPTION_KEYS.join("\", \"")),
            ))
        }
    }
    Ok(())
}

pub fn type_name(z: &Zval) -> &'static str {
    match z.get_type() {
        DataType::Null => "null",
        DataType::False | DataType::True | DataType::Bool => "bool",
        DataType::Long => "int",
        DataType::Double => "float",
        DataType::String => "string",
        DataType::Array => "array",
        DataType::Object(_) => "object",
        _ => "mixed",
    }
}
