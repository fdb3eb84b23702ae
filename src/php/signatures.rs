//! `hookguard_sign/verify/check/equals/schemes/reasons`: thin adapters over the core.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use ext_php_rs::binary::Binary;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use subtle::ConstantTimeEq;

use super::args::{self, ArrayParam, Caller, StrParam};
use crate::check::{check, Clock};
use crate::keys::BadSecret;
use crate::reason::Reason;
use crate::scheme::{Scheme, SchemeError, DEFAULT_TOLERANCE, NAMES};
use crate::sign::{fresh_id, sign, Envelope};

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

pub(super) fn scheme(
    caller: Caller,
    name: &[u8],
    opts: &args::Options,
    options_arg: (u8, &str),
) -> PhpResult<Cow<'static, Scheme>> {
    // A name that is not UTF-8 names no scheme.
    let name = std::str::from_utf8(name).unwrap_or("");
    Scheme::resolve(name, &opts.layout).map_err(|e| match e {
        SchemeError::UnknownScheme => {
            caller.value_error((1, "scheme"), format!("must be a supported scheme (\"{}\")", NAMES.join("\", \"")))
        }
        SchemeError::Option(key, why) => caller.value_error(options_arg, format!("option \"{key}\" {why}")),
    })
}

pub(super) fn bad_secret(caller: Caller, arg: (u8, &str), e: BadSecret) -> PhpException {
    match e {
        BadSecret::Empty => caller.value_error(arg, "must not be empty"),
        BadSecret::NotWhsec => {
            caller.value_error(arg, "must be a Standard Webhooks secret (\"whsec_\" followed by base64)")
        }
    }
}

/// The clock a check of `scheme` runs against: `now` and `tolerance` from
/// the options, else the system clock and the default tolerance.
pub(super) fn clock(scheme: &Scheme, now: Option<i64>, tolerance: Option<u64>) -> Clock {
    // Reading the clock costs as much as a SHA-256 block: only when it is used.
    let now = match now {
        Some(now) => now,
        None if scheme.is_timestamped() => unix_now(),
        None => 0,
    };
    Clock { now, tolerance: tolerance.unwrap_or(DEFAULT_TOLERANCE) }
}

/// Shared body of verify/check.
fn run_check(
    caller: Caller,
    scheme_name: StrParam,
    body: StrParam,
    headers: ArrayParam,
    secrets: &Zval,
    options: Option<&Zval>,
) -> PhpResult<Reason> {
    let scheme_name = caller.bytes((1, "scheme"), scheme_name)?;
    let body = caller.bytes((2, "body"), body)?;
    let headers = args::array(caller, (3, "headers"), headers.0)?;
    let opts = args::options(caller, (5, "options"), options)?;
    let scheme = scheme(caller, scheme_name, &opts, (5, "options"))?;
    let secrets = args::secrets(caller, (4, "secrets"), secrets)?;
    let clock = clock(&scheme, opts.now, opts.tolerance);
    let wanted = scheme.header_names();
    let headers = args::headers(headers, &wanted);
    let reason = check(&scheme, body, &headers, &secrets, clock);
    reason.map_err(|e| bad_secret(caller, (4, "secrets"), e))
}

/// `hookguard_check(string $scheme, string $body, array $headers, string|array $secrets, array $options = []): string`
#[php_function]
pub fn hookguard_check(
    scheme: StrParam,
    body: StrParam,
    headers: ArrayParam,
    secrets: &Zval,
    options: Option<&Zval>,
) -> PhpResult<&'static str> {
    run_check(Caller("hookguard_check"), scheme, body, headers, secrets, options).map(Reason::code)
}

/// `hookguard_verify(...same...): bool` — exactly `hookguard_check(...) === 'ok'`.
#[php_function]
pub fn hookguard_verify(
    scheme: StrParam,
    body: StrParam,
    headers: ArrayParam,
    secrets: &Zval,
    options: Option<&Zval>,
) -> PhpResult<bool> {
    run_check(Caller("hookguard_verify"), scheme, body, headers, secrets, options).map(Reason::is_ok)
}

/// `hookguard_sign(string $scheme, string $body, string $secret, array $options = []): array`
#[php_function]
pub fn hookguard_sign(
    scheme: StrParam,
    body: StrParam,
    secret: StrParam,
    options: Option<&Zval>,
) -> PhpResult<ZBox<ZendHashTable>> {
    let caller = Caller("hookguard_sign");
    let scheme = caller.bytes((1, "scheme"), scheme)?;
    let body = caller.bytes((2, "body"), body)?;
    let secret = caller.bytes((3, "secret"), secret)?;
    let opts = args::options(caller, (4, "options"), options)?;
    let scheme = self::scheme(caller, scheme, &opts, (4, "options"))?;
    let envelope = Envelope {
        timestamp: opts.timestamp.unwrap_or_else(unix_now),
        id: opts.id.clone().unwrap_or_else(|| if scheme.id_header.is_some() { fresh_id(&scheme) } else { Vec::new() }),
    };
    let headers = sign(&scheme, body, secret, &envelope).map_err(|e| bad_secret(caller, (3, "secret"), e))?;
    let mut out = ZendHashTable::with_capacity(headers.len() as u32);
    for (name, value) in headers {
        out.insert(name.as_str(), Binary::from(value))?;
    }
    Ok(out)
}

/// `hookguard_equals(string $known, string $user): bool` — constant time, like `hash_equals`.
#[php_function]
pub fn hookguard_equals(known: StrParam, user: StrParam) -> PhpResult<bool> {
    let caller = Caller("hookguard_equals");
    let known = caller.strict_bytes((1, "known"), known)?;
    let user = caller.strict_bytes((2, "user"), user)?;
    Ok(known.len() == user.len() && bool::from(known.ct_eq(user)))
}

/// `hookguard_schemes(): array` — the supported scheme names.
#[php_function]
pub fn hookguard_schemes() -> Vec<&'static str> {
    NAMES.to_vec()
}

/// `hookguard_reasons(): array` — every reason code `hookguard_check()` can
/// return, `ok` first, in a stable order.
#[php_function]
pub fn hookguard_reasons() -> Vec<&'static str> {
    Reason::ALL.map(Reason::code).to_vec()
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(hookguard_sign))
        .function(wrap_function!(hookguard_verify))
        .function(wrap_function!(hookguard_check))
        .function(wrap_function!(hookguard_equals))
        .function(wrap_function!(hookguard_schemes))
        .function(wrap_function!(hookguard_reasons))
}
