//! Finds the PHP the extension is built for and records its API version, so
//! `php --ri hookguard` can say which PHP the `.so` belongs to. Fails early,
//! with the packages to install, when PHP's development files are missing
//! (otherwise the first error is a bindgen panic deep inside ext-php-rs).

use std::process::Command;

const APT_HINT: &str = "install PHP's development files and clang: \
     apt-get install php8.2-dev php8.2-cli libclang-dev clang (or php8.4-…) \
     (or run ./scripts/setup, which does it for you)";

/// Supported PHP versions, as `php-config --vernum` numbers: 8.2 (packed
/// arrays without keys, #[\SensitiveParameter]) up to 8.4, the newest one
/// the engine knowledge in src/php/engine.rs is checked against.
const SUPPORTED_FROM: u32 = 80200;
const SUPPORTED_UNTIL: u32 = 80500;

fn php_config(arg: &str) -> String {
    let tool = std::env::var("PHP_CONFIG").unwrap_or_else(|_| "php-config".into());
    let out = Command::new(&tool)
        .arg(arg)
        .output()
        .unwrap_or_else(|e| panic!("hookguard: cannot run `{tool}` ({e}); {APT_HINT}"));
    if !out.status.success() {
        panic!("hookguard: `{tool} {arg}` failed; {APT_HINT}");
    }
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn main() {
    println!("cargo:rerun-if-env-changed=PHP_CONFIG");
    println!("cargo:rerun-if-env-changed=PHP");
    println!("cargo:rerun-if-changed=build.rs");
    let api = php_config("--phpapi");
    let version = php_config("--version");
    let vernum: u32 = php_config("--vernum").parse().unwrap_or(0);
    if !(SUPPORTED_FROM..SUPPORTED_UNTIL).contains(&vernum) {
        panic!(
            "hookguard: PHP {version} is not supported; it supports PHP 8.2 to 8.4 \
             (src/php/engine.rs holds what it assumes of the engine); {APT_HINT}"
        );
    }
    // PHP 8.3 words argument type errors with zend_zval_value_name().
    println!("cargo:rustc-check-cfg=cfg(hookguard_php83)");
    if vernum >= 80300 {
        println!("cargo:rustc-cfg=hookguard_php83");
    }
    println!("cargo:rustc-env=HOOKGUARD_PHP_API={api}");
    println!("cargo:rustc-env=HOOKGUARD_PHP_VERSION={version}");
}
