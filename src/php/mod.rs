//! The PHP binding: registers the `hookguard_*` functions, `php --ri`
//! output and start-up. Everything here adapts; nothing here decides.

mod args;
mod engine;
mod rate_limit;
mod sensitive;
mod signatures;
mod verifier;

use ext_php_rs::constant::IntoConst;
use ext_php_rs::error::php_error;
use ext_php_rs::flags::ErrorType;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

use crate::mac::KEY_CACHE_CAPACITY;
use crate::scheme::NAMES;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `HOOKGUARD_IMPLEMENTATION`: "native" here, "php" in php/compat/hookguard.php.
const IMPLEMENTATION: &str = "native";

extern "C" fn module_info(module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("hookguard support", "enabled");
    info_table_row!("version", VERSION);
    info_table_row!("implementation", IMPLEMENTATION);
    info_table_row!("schemes", NAMES.join(", "));
    info_table_row!("built for PHP API", env!("HOOKGUARD_PHP_API"));
    info_table_row!("built against PHP", env!("HOOKGUARD_PHP_VERSION"));
    info_table_row!("key cache (secrets per process)", KEY_CACHE_CAPACITY.to_string());
    rate_limit::info_rows();
    info_table_end!();
    // SAFETY: PHP passes this module's entry; the function only reads it.
    unsafe { engine::display_module_ini_entries(module) };
}

/// A panic becomes a PHP `Error` (ext-php-rs catches it); the default hook
/// would also print its payload and a backtrace to stderr, which php-fpm
/// copies into its log. Print only where it happened.
fn quiet_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("hookguard: internal error at {at}; the call raised a PHP Error");
    }));
}

/// PHP's SUCCESS and FAILURE.
const SUCCESS: i32 = 0;
const FAILURE: i32 = -1;

extern "C" fn startup(_type: i32, module_number: i32) -> i32 {
    if let Err(why) = engine::self_check() {
        php_error(
            &ErrorType::CoreWarning,
            &format!("hookguard: not loaded: this PHP stores arrays unlike PHP 8.2-8.4 ({why})"),
        );
        return FAILURE;
    }
    quiet_panic_hook();
    sensitive::mark_secret_parameters();
    let _ = IMPLEMENTATION.register_constant("HOOKGUARD_IMPLEMENTATION", module_number);
    rate_limit::startup(module_number);
    SUCCESS
}

extern "C" fn request_startup(_type: i32, _module_number: i32) -> i32 {
    sensitive::mark_secret_method_parameters();
    SUCCESS
}

extern "C" fn shutdown(module_type: i32, module_number: i32) -> i32 {
    rate_limit::shutdown(module_type, module_number);
    SUCCESS
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    let module = module
        .name("hookguard")
        .version(VERSION)
        .startup_function(startup)
        .shutdown_function(shutdown)
        .request_startup_function(request_startup)
        .info_function(module_info);
    verifier::register(rate_limit::register(signatures::register(module)))
}
