//! Finds the PHP the extension is built for and records its API version, so
//! `php --ri hookguard` can say which PHP the `.so` belongs to. Fails early,
//! with the packages to install, when PHP's development files are missing
//! (otherwise the first error is a bindgen panic deep inside ext-php-rs).

use std::process::Command;

const APT_HINT: &str = "install PHP's development files and clang: \
     apt-get install php8.2-dev php8.2-cli libclang-dev clang \
     (or run ./scripts/setup, which does it for you)";

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
    if vernum < 80200 {
        panic!("hookguard: PHP {version} is too old; PHP 8.2 or newer is required (packed arrays without keys, #[\\SensitiveParameter]); {APT_HINT}");
    }
    println!("cargo:rustc-env=HOOKGUARD_PHP_API={api}");
    println!("cargo:rustc-env=HOOKGUARD_PHP_VERSION={version}");
}
