//! Everything the binding knows about PHP's engine beyond ext-php-rs's API:
//! engine functions declared by hand and the way a hash table stores its
//! entries. Kept in one module so a new PHP release is checked in one place.
//!
//! Checked where it can be: sizes at compile time against the bindgen types
//! of the PHP being built for (`build.rs` requires 8.2 to 8.4), the hash-table
//! flag at module start-up against arrays the engine itself builds
//! ([`self_check`]). Each declaration names the header it copies.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::mem::{offset_of, size_of};

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi::{
    ext_php_rs_compiler_globals, zend_class_entry, zend_function, zend_hash_add_new, zend_hash_index_del,
    zend_hash_str_find_ptr_lc, zend_long, zend_string, zval, Bucket, HashTable, _ZEND_TYPE_NULLABLE_BIT, IS_UNDEF,
};
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};
use ext_php_rs::zend::ModuleEntry;

// ZEND_FASTCALL is the plain C convention on 64-bit targets only.
#[cfg(not(target_pointer_width = "64"))]
compile_error!("hookguard supports 64-bit targets only (ZEND_FASTCALL engine functions are declared as plain C)");

extern "C" {
    // main/php_ini.h (PHPAPI): the "Directive | Local Value | Master Value" table.
    fn display_ini_entries(module: *mut ModuleEntry);

    // Zend/zend_ini.h (ZEND_API): UNREGISTER_INI_ENTRIES().
    fn zend_unregister_ini_entries_ex(module_number: c_int, module_type: c_int);

    // Zend/zend_API.h (ZEND_API ZEND_FASTCALL): the non-int path of
    // Z_PARAM_LONG. Refuses everything when the caller uses strict types,
    // else applies PHP's weak rules.
    fn zend_parse_arg_long_slow(arg: *const zval, dest: *mut zend_long, arg_num: u32) -> bool;

    // Zend/zend_API.h (ZEND_API ZEND_FASTCALL): the non-string path of
    // Z_PARAM_STR; converts `arg` in place (the engine frees it with the frame).
    fn zend_parse_arg_str_slow(arg: *mut zval, dest: *mut *mut zend_string, arg_num: u32) -> bool;

    // Zend/zend_attributes.h (ZEND_API); the inline zend_add_parameter_attribute wraps it.
    fn zend_add_attribute(
        attributes: *mut *mut HashTable,
        name: *mut zend_string,
        argc: u32,
        flags: u32,
        offset: u32,
        lineno: u32,
    ) -> *mut c_void;
}

// Zend/zend_API.h (ZEND_API): the type name php-src's own argument errors
// print ("…, string given"). PHP 8.3 added zend_zval_value_name, which says
// "true"/"false" where 8.2's zend_zval_type_name says "bool".
#[cfg(hookguard_php83)]
extern "C" {
    #[link_name = "zend_zval_value_name"]
    fn engine_value_name(arg: *const zval) -> *const c_char;
}
#[cfg(not(hookguard_php83))]
extern "C" {
    #[link_name = "zend_zval_type_name"]
    fn engine_value_name(arg: *const zval) -> *const c_char;
}

/// Zend/zend_types.h: `HASH_FLAG_PACKED` (a list stored as bare zvals in
/// `arPacked` since PHP 8.2; before, as Buckets). Not in the bindings.
const HASH_FLAG_PACKED: u32 = 1 << 2;

/// Zend/zend_attributes.h: `ZEND_ATTRIBUTE_PERSISTENT`.
const ZEND_ATTRIBUTE_PERSISTENT: u32 = 1;

// Tripwires for `for_each_entry`, against this PHP's own types: a zval is
// 16 bytes, a Bucket a zval followed by the hash and the key. A PHP that
// changes them needs this module reviewed before it is supported.
const _: () = assert!(size_of::<zval>() == 16);
const _: () = assert!(offset_of!(Bucket, val) == 0 && size_of::<Bucket>() == 32);

/// The `php --ri` table of this module's INI settings.
///
/// # Safety
/// `module` is the entry PHP passed to the module's info function.
pub unsafe fn display_module_ini_entries(module: *mut ModuleEntry) {
    display_ini_entries(module);
}

/// Removes this module's INI entries, as a C extension's MSHUTDOWN does with
/// UNREGISTER_INI_ENTRIES(). PHP leaves that to any module that has a
/// shutdown function; a module loaded with `dl()` that skips it leaves
/// entries behind whose names were freed with the request (heap corruption at
/// exit).
pub fn unregister_ini_entries(module_type: i32, module_number: i32) {
    // SAFETY: called from the module's own shutdown with the numbers PHP gave it.
    unsafe { zend_unregister_ini_entries_ex(module_number, module_type) };
}

/// PHP's weak `int` conversion of an argument (`"100"`, `100.0`, `true`), or
/// `None` when the caller's file uses strict types or the value does not
/// convert. `arg_num` (1-based) words the engine's own deprecation notices.
///
/// Only while the engine runs this extension's function: the caller's
/// strict_types flag is read from the current call frame.
pub fn parse_long_weak(value: &Zval, arg_num: u32) -> Option<i64> {
    let mut n: zend_long = 0;
    // SAFETY: `value` is a live argument of the running call and `n` a valid destination.
    let accepted = unsafe { zend_parse_arg_long_slow(std::ptr::from_ref(value).cast::<zval>(), &mut n, arg_num) };
    accepted.then_some(n)
}

/// PHP's weak `string` conversion of a non-string argument, in place (an
/// int becomes its decimal text), or `None` under strict types or for a
/// value that does not convert. The same frame rule as [`parse_long_weak`].
pub fn parse_str_weak(value: &mut Zval, arg_num: u32) -> Option<&[u8]> {
    let mut dest: *mut zend_string = std::ptr::null_mut();
    // SAFETY: `value` is a live argument of the running call; on success the
    // engine stores the converted string in it and points `dest` at it.
    let accepted = unsafe { zend_parse_arg_str_slow(std::ptr::from_mut(value).cast::<zval>(), &mut dest, arg_num) };
    if !accepted || dest.is_null() {
        return None;
    }
    // SAFETY: `dest` is the string now held by `value`, which outlives the borrow.
    Some(unsafe { std::slice::from_raw_parts((*dest).val.as_ptr().cast::<u8>(), (*dest).len) })
}

/// The name php-src's argument errors give `value`'s type ("int", "null",
/// a class name…), as this PHP version words it.
pub fn value_name(value: &Zval) -> String {
    // SAFETY: the engine returns a static C string or the live object's class name.
    unsafe { CStr::from_ptr(engine_value_name(std::ptr::from_ref(value).cast::<zval>())) }
        .to_string_lossy()
        .into_owned()
}

/// Marks the 0-based `parameters` of the registered `function` with
/// `#[\SensitiveParameter]`, as php-src's generated arginfo does. At module
/// start-up only, after the functions are registered.
pub fn mark_sensitive(function: &str, parameters: &[u32]) {
    // EG(function_table) is only set per request; at start-up the table is CG's.
    // SAFETY: the compiler globals live for the process; start-up is single-threaded.
    unsafe { mark_sensitive_in((*ext_php_rs_compiler_globals()).function_table, function, parameters) }
}

/// The same for a method of a registered class (both names lower case).
/// ext-php-rs registers classes after the module's own start-up function,
/// so this runs once, at the first request's start (see `mod.rs`).
pub fn mark_sensitive_method(class: &str, method: &str, parameters: &[u32]) {
    // SAFETY: CG(class_table) lives for the process; a missing class is
    // skipped rather than dereferenced.
    unsafe {
        let classes = (*ext_php_rs_compiler_globals()).class_table;
        let ce = zend_hash_str_find_ptr_lc(classes, class.as_ptr().cast(), class.len()).cast::<zend_class_entry>();
        if !ce.is_null() {
            mark_sensitive_in(&raw mut (*ce).function_table, method, parameters);
        }
    }
}

/// # Safety
/// `table` is a live function table of persistent functions, not being
/// read by another thread.
unsafe fn mark_sensitive_in(table: *mut HashTable, function: &str, parameters: &[u32]) {
    // The name is interned for good: PHP's own SensitiveParameter class
    // already interned it permanently, so even from a request (dl(), or the
    // first request for a method) this returns that string.
    let name = ZendStr::new_interned("SensitiveParameter", true);
    let f = zend_hash_str_find_ptr_lc(table, function.as_ptr().cast(), function.len()).cast::<zend_function>();
    if !f.is_null() {
        for &offset in parameters {
            let attributes = &mut (*f).common.attributes;
            zend_add_attribute(attributes, name.as_ptr().cast_mut(), 0, ZEND_ATTRIBUTE_PERSISTENT, offset + 1, 0);
        }
    }
    // Interned strings are freed by the engine: keep its reference.
    std::mem::forget(name);
}

/// Declares the registered `function`'s 0-based `parameter` as not
/// nullable, with `default` (PHP source text) as its default value, in the
/// arginfo reflection reads. For a parameter the binding takes as
/// `Option<IntParam>` only so that an explicit `null` reaches the body and
/// is refused there in php-src's words: ext-php-rs declares it `?int`
/// without a default, and refuses `null` itself when given a default.
/// At module start-up only, after the functions are registered.
pub fn declare_default(function: &str, parameter: usize, default: &'static CStr) {
    // SAFETY: as in `mark_sensitive`; an internal function's `arg_info`
    // points past its return slot into arrays ext-php-rs keeps for the life
    // of the process and never frees (so a static default is never freed
    // either), and `parameter` is checked against the declared count.
    unsafe {
        let table = (*ext_php_rs_compiler_globals()).function_table;
        let f = zend_hash_str_find_ptr_lc(table, function.as_ptr().cast(), function.len()).cast::<zend_function>();
        if f.is_null() || parameter >= (*f).internal_function.num_args as usize {
            return;
        }
        let info = (*f).internal_function.arg_info.add(parameter);
        (*info).type_.type_mask &= !_ZEND_TYPE_NULLABLE_BIT;
        (*info).default_value = default.as_ptr();
    }
}

/// The running SAPI's name ("cli", "fpm-fcgi", "apache2handler", …).
pub fn sapi_name() -> String {
    // SAFETY: sapi_module is set up before any module starts; its name is a
    // static C string of the SAPI.
    unsafe {
        let name = ext_php_rs::ffi::sapi_module.name;
        if name.is_null() {
            return String::new();
        }
        CStr::from_ptr(name).to_string_lossy().into_owned()
    }
}

/// Calls `f` with each (string key or `None`, value) of `ht`, in order,
/// without copying keys: header arrays are read on every request.
pub fn for_each_entry<'a>(ht: &'a ZendHashTable, mut f: impl FnMut(Option<&'a [u8]>, &'a Zval)) {
    // SAFETY: reads a live, borrowed zend_array the way ZEND_HASH_FOREACH
    // does: nNumUsed slots, skipping IS_UNDEF holes; packed arrays store bare
    // zvals, hashed ones Buckets with an optional key (checked by `self_check`).
    unsafe {
        let used = ht.nNumUsed as usize;
        if used == 0 {
            return;
        }
        if is_packed(ht) {
            let base = ht.__bindgen_anon_1.arPacked as *const Zval;
            for i in 0..used {
                visit(None, &*base.add(i), &mut f);
            }
        } else {
            let base = ht.__bindgen_anon_1.arData;
            for i in 0..used {
                let bucket = &*base.add(i);
                let key = bucket.key.as_ref().map(|k| std::slice::from_raw_parts(k.val.as_ptr().cast::<u8>(), k.len));
                visit(key, &bucket.val, &mut f);
            }
        }
    }
}

fn is_packed(ht: &ZendHashTable) -> bool {
    // SAFETY: the flags word of a live array.
    unsafe { ht.u.flags & HASH_FLAG_PACKED != 0 }
}

fn visit<'a>(key: Option<&'a [u8]>, value: &'a Zval, f: &mut impl FnMut(Option<&'a [u8]>, &'a Zval)) {
    // SAFETY: reading the type byte of a live zval. IS_UNDEF marks a deleted
    // slot; `dereference` follows references and INDIRECT slots.
    // (`get_type()` is a full conversion: too slow for every `$_SERVER` key.)
    if u32::from(unsafe { value.u1.v.type_ }) != IS_UNDEF {
        f(key, value.dereference());
    }
}

/// Strings interned for the life of the module, their hashes computed once,
/// for arrays built on every call. Made at module start-up (later, interning
/// would make per-request strings); the engine frees them.
pub struct InternedKeys<const N: usize>([*mut zend_string; N]);

// SAFETY: interned strings are immutable while the module lives.
unsafe impl<const N: usize> Send for InternedKeys<N> {}
unsafe impl<const N: usize> Sync for InternedKeys<N> {}

impl<const N: usize> InternedKeys<N> {
    pub fn new(keys: [&str; N]) -> Self {
        InternedKeys(keys.map(|k| ZBox::into_raw(ZendStr::new_interned(k, true)).cast::<zend_string>()))
    }

    /// A new array of these keys with `values` (scalars), in order.
    pub fn array(&self, mut values: [Zval; N]) -> ZBox<ZendHashTable> {
        let mut out = ZendHashTable::with_capacity(N as u32);
        for (key, value) in self.0.iter().zip(values.iter_mut()) {
            // SAFETY: `out` is a fresh array without these keys; the values
            // are scalars, copied without reference counting.
            unsafe { zend_hash_add_new(&mut *out, *key, value) };
        }
        out
    }
}

/// Checks the hash-table knowledge above against arrays the engine builds:
/// a list is packed and read as such, a map is read with its keys, a
/// deleted slot is skipped. At module start-up; an error means this PHP
/// stores arrays differently and the module must not load.
pub fn self_check() -> Result<(), String> {
    let mut list = ZendHashTable::new();
    let mut map = ZendHashTable::new();
    for n in 1..=3 {
        list.push(n).map_err(|e| e.to_string())?;
        map.insert(format!("k{n}").as_str(), n).map_err(|e| e.to_string())?;
    }
    // SAFETY: deleting index 1 of an array this function owns.
    unsafe { zend_hash_index_del(&mut *list, 1) };
    let read = |ht: &ZendHashTable| {
        let mut seen = Vec::new();
        for_each_entry(ht, |k, v| seen.push((k.map(<[u8]>::to_vec), v.long())));
        seen
    };
    let packed = is_packed(&list);
    let list_seen = read(&list);
    let map_seen = read(&map);
    let key = |s: &str| Some(s.as_bytes().to_vec());
    if !packed || list_seen != [(None, Some(1)), (None, Some(3))] {
        return Err(format!("a list reads as {list_seen:?} (packed flag {packed})"));
    }
    if is_packed(&map) || map_seen != [(key("k1"), Some(1)), (key("k2"), Some(2)), (key("k3"), Some(3))] {
        return Err(format!("a map reads as {map_seen:?}"));
    }
    Ok(())
}
