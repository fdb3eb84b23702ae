//! `hookguard_rate_limit()` and `hookguard_rate_limit_reset()`, the
//! `hookguard.rate_limit_*` settings, and the limiter's `php --ri` rows.
//!
//! The table is created once, at module start-up: in php-fpm's master and
//! Apache's parent that is before the workers fork, so they all inherit the
//! same shared mapping (see [`crate::limiter`]).

use std::ffi::CStr;
use std::sync::atomic::{AtomicPtr, Ordering};

use ext_php_rs::boxed::ZBox;
use ext_php_rs::constant::IntoConst;
use ext_php_rs::error::php_error;
use ext_php_rs::exception::{PhpException, PhpResult};
use ext_php_rs::flags::{ErrorType, IniEntryPermission};
use ext_php_rs::info_table_row;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::{ce, ExecutorGlobals, IniEntryDef, IniEntryDefs};

use super::args::{Caller, IntParam, StrParam};
use super::engine::{self, InternedKeys};
use crate::limiter::gcra::{ceil_seconds, Decision, Quota, QuotaError, MAX_PERIOD_SECONDS};
use crate::limiter::table::Table;
use crate::limiter::{monotonic_nanos, parse_slot_count, Limiter, PerProcessReason, DEFAULT_SLOTS};

const SLOTS_SETTING: &CStr = c"hookguard.rate_limit_slots";
const SHARED_SETTING: &CStr = c"hookguard.rate_limit_shared";
/// Must spell [`DEFAULT_SLOTS`] (a test checks).
const DEFAULT_SLOTS_TEXT: &CStr = c"65536";
/// `hookguard_rate_limit()`'s `$cost` when omitted, and how its arginfo spells it.
const DEFAULT_COST: i64 = 1;
const DEFAULT_COST_TEXT: &CStr = c"1";

/// Both settings are PHP_INI_SYSTEM: the table is sized and placed once,
/// before the workers exist, so a per-directory or runtime value could
/// never take effect.
static INI: IniEntryDefs<3> = IniEntryDefs::new([
    IniEntryDef::new(SLOTS_SETTING, DEFAULT_SLOTS_TEXT, IniEntryPermission::System),
    IniEntryDef::new(SHARED_SETTING, c"1", IniEntryPermission::System),
    IniEntryDef::end(),
]);

/// SAPIs that serve from one process: sharing would buy nothing there.
const SINGLE_PROCESS_SAPIS: [&str; 3] = ["cli", "phpdbg", "embed"];

/// What start-up made, for the life of the module.
struct Started {
    /// The limiter, or why there is none (the memory could not be mapped at all).
    limiter: Result<Limiter, String>,
    result_keys: InternedKeys<4>,
}

/// Set at start-up, taken back (and the table unmapped) at shutdown: Apache
/// unloads and reloads extensions in its parent at every graceful restart.
static STARTED: AtomicPtr<Started> = AtomicPtr::new(std::ptr::null_mut());

fn started() -> Option<&'static Started> {
    // SAFETY: the pointer is null or a leaked Box that only `shutdown` frees,
    // and PHP calls no function of a module after its shutdown (which runs
    // once every request has ended).
    unsafe { STARTED.load(Ordering::Acquire).as_ref() }
}

/// PHP's own reading of a boolean INI value (`zend_ini_parse_bool`); note
/// that the INI parser turns a bare `Off` into the empty string.
fn ini_bool(value: Option<&str>, default: bool) -> bool {
    match value.map(str::trim) {
        None => default,
        Some(v) => {
            ["on", "yes", "true"].iter().any(|t| v.eq_ignore_ascii_case(t)) || v.parse::<i64>().is_ok_and(|n| n != 0)
        }
    }
}

/// Module start-up: registers the settings and creates the table.
pub fn startup(module_number: i32) {
    engine::declare_default("hookguard_rate_limit", 3, DEFAULT_COST_TEXT);
    IniEntryDef::register(INI.as_slice(), module_number);
    let ini = ExecutorGlobals::get().ini_values();
    let setting = |name: &CStr| ini.get(name.to_str().unwrap_or_default()).cloned().flatten();
    let slots = parse_slot_count(setting(SLOTS_SETTING).as_deref()).unwrap_or_else(|bad| {
        php_error(
            &ErrorType::CoreWarning,
            &format!("{} {bad}; using {DEFAULT_SLOTS}", SLOTS_SETTING.to_string_lossy()),
        );
        DEFAULT_SLOTS
    });
    let sapi = engine::sapi_name();
    let limiter = if !ini_bool(setting(SHARED_SETTING).as_deref(), true) {
        Limiter::per_process(slots, PerProcessReason::SwitchedOff)
    } else if SINGLE_PROCESS_SAPIS.contains(&sapi.as_str()) {
        Limiter::per_process(slots, PerProcessReason::SingleProcessSapi(sapi))
    } else {
        Limiter::shared(slots)
    };
    let limiter = limiter.map_err(|e| format!("could not map {} bytes: {e}", Table::bytes_for(slots)));
    if let Err(why) = &limiter {
        php_error(&ErrorType::CoreWarning, &format!("hookguard rate limiter unavailable: {why}"));
    }
    // The same words as the `rate limiter` row of `php --ri hookguard`.
    let mode = match &limiter {
        Ok(l) => l.mode().to_string(),
        Err(why) => format!("unavailable: {why}"),
    };
    let _ = mode.register_constant("HOOKGUARD_RATE_LIMITER_MODE", module_number);
    let started = Box::new(Started { limiter, result_keys: InternedKeys::new(RESULT_KEYS) });
    free(STARTED.swap(Box::into_raw(started), Ordering::AcqRel));
}

/// Module shutdown: unmaps this process's view of the table (workers
/// forked earlier keep theirs) and removes the settings.
pub fn shutdown(module_type: i32, module_number: i32) {
    free(STARTED.swap(std::ptr::null_mut(), Ordering::AcqRel));
    engine::unregister_ini_entries(module_type, module_number);
}

fn free(started: *mut Started) {
    if !started.is_null() {
        // SAFETY: a pointer from Box::into_raw in `startup`, just swapped
        // out, so no one else can free it.
        drop(unsafe { Box::from_raw(started) });
    }
}

fn started_limiter() -> PhpResult<(&'static Limiter, &'static InternedKeys<4>)> {
    match started() {
        Some(Started { limiter: Ok(limiter), result_keys }) => Ok((limiter, result_keys)),
        Some(Started { limiter: Err(why), .. }) => {
            Err(PhpException::new(format!("hookguard rate limiter unavailable: {why}"), 0, ce::error()))
        }
        None => Err(PhpException::new("hookguard rate limiter not started".into(), 0, ce::error())),
    }
}

/// `php --ri hookguard` rows.
pub fn info_rows() {
    match started().map(|s| &s.limiter) {
        Some(Ok(limiter)) => {
            let usage = limiter.usage(monotonic_nanos());
            info_table_row!("rate limiter", limiter.mode().to_string());
            info_table_row!(
                "rate limiter slots",
                format!("{} ({} KiB)", usage.slots, Table::bytes_for(usage.slots).div_ceil(1024))
            );
            info_table_row!("rate limiter slots in use", usage.in_use.to_string());
            info_table_row!("rate limiter evictions", usage.evictions.to_string());
        }
        Some(Err(why)) => info_table_row!("rate limiter", format!("unavailable: {why}")),
        None => info_table_row!("rate limiter", "not started"),
    }
}

fn quota_error(caller: Caller, e: QuotaError) -> PhpException {
    match e {
        QuotaError::LimitNotPositive => caller.value_error((2, "limit"), "must be greater than 0"),
        QuotaError::LimitAboveOnePerNanosecond => {
            caller.value_error((2, "limit"), "must be at most 1000000000 per second of argument #3 ($period_seconds)")
        }
        QuotaError::PeriodNotPositive => caller.value_error((3, "period_seconds"), "must be greater than 0"),
        QuotaError::PeriodTooLong => {
            caller.value_error((3, "period_seconds"), format!("must be at most {MAX_PERIOD_SECONDS} (ten years)"))
        }
        QuotaError::CostNegative => caller.value_error((4, "cost"), "must be greater than or equal to 0"),
        QuotaError::CostAboveLimit => {
            caller.value_error((4, "cost"), "must be less than or equal to argument #2 ($limit)")
        }
    }
}

/// The result array's keys, in order.
const RESULT_KEYS: [&str; 4] = ["allowed", "remaining", "retry_after", "reset_after"];

/// The result array. Its keys are interned once at start-up (hashes
/// computed once), so a call allocates nothing but the array: half the cost.
fn decision_array(d: &Decision, keys: &InternedKeys<4>) -> ZBox<ZendHashTable> {
    let mut values = [Zval::new(), Zval::new(), Zval::new(), Zval::new()];
    values[0].set_bool(d.allowed);
    values[1].set_long(d.remaining as i64);
    values[2].set_long(ceil_seconds(d.retry_after) as i64);
    values[3].set_long(ceil_seconds(d.reset_after) as i64);
    keys.array(values)
}

/// `hookguard_rate_limit(string $key, int $limit, int $period_seconds, int $cost = 1): array`
///
/// Spends `cost` of `key`'s allowance of `limit` per `period_seconds`
/// (GCRA: a full key may spend `limit` at once, then earns one back every
/// `period_seconds / limit`). Returns `allowed`, `remaining`, and
/// `retry_after` / `reset_after` in whole seconds, rounded up.
///
/// `cost` is an `Option` so that an explicit `null` reaches [`Caller::int`]
/// and gets php-src's TypeError like every other argument (a `defaults`
/// attribute makes ext-php-rs refuse it first, in its own words);
/// [`startup`] declares it `int $cost = 1` again for reflection.
#[php_function]
pub fn hookguard_rate_limit(
    key: StrParam,
    limit: IntParam,
    period_seconds: IntParam,
    cost: Option<IntParam>,
) -> PhpResult<ZBox<ZendHashTable>> {
    let caller = Caller("hookguard_rate_limit");
    let key = caller.bytes((1, "key"), key)?;
    let limit = caller.int((2, "limit"), limit)?;
    let period_seconds = caller.int((3, "period_seconds"), period_seconds)?;
    let cost = caller.int((4, "cost"), cost.unwrap_or(IntParam::Default(DEFAULT_COST)))?;
    let quota = Quota::new(limit, period_seconds).map_err(|e| quota_error(caller, e))?;
    let cost = quota.cost(cost).map_err(|e| quota_error(caller, e))?;
    let (limiter, result_keys) = started_limiter()?;
    let decision = limiter.check(key, &quota, cost, monotonic_nanos());
    Ok(decision_array(&decision, result_keys))
}

/// `hookguard_rate_limit_reset(string $key): void` — the key's next request
/// starts from a full allowance.
#[php_function]
pub fn hookguard_rate_limit_reset(key: StrParam) -> PhpResult<()> {
    let key = Caller("hookguard_rate_limit_reset").bytes((1, "key"), key)?;
    started_limiter()?.0.reset(key);
    Ok(())
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(hookguard_rate_limit)).function(wrap_function!(hookguard_rate_limit_reset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registered_default_is_the_core_default() {
        assert_eq!(parse_slot_count(DEFAULT_SLOTS_TEXT.to_str().ok()), Ok(DEFAULT_SLOTS));
    }

    #[test]
    fn boolean_settings_read_as_php_reads_them() {
        for on in ["1", "On", "yes", "TRUE", " on ", "2"] {
            assert!(ini_bool(Some(on), false), "{on}");
        }
        for off in ["", "0", "Off", "no", "false", "none", "-"] {
            assert!(!ini_bool(Some(off), true), "{off:?}");
        }
        assert!(ini_bool(None, true));
    }
}
