//! `HookGuard\Verifier`: `hookguard_verify()`/`hookguard_check()` prepared
//! once. The constructor converts and validates the scheme, options and
//! secrets as the functions do (same errors, its own argument numbers) and
//! keeps only keyed HMAC states; each call then costs its headers, its MAC
//! and the compare. Not serializable (ext-php-rs marks every class with a
//! Rust object so), not cloneable (no `Clone`), and with no property to dump.

use ext_php_rs::exception::PhpResult;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::Zval;

use super::args::{self, ArrayParam, Caller, StrParam};
use super::signatures::{self, bad_secret, clock};
use crate::check::Prepared;
use crate::reason::Reason;

#[php_class]
#[php(name = "HookGuard\\Verifier")]
#[php(flags = ClassFlags::Final)]
pub struct Verifier {
    prepared: Prepared,
    /// The `now` option: a fixed clock (tests), else the system clock per call.
    now: Option<i64>,
    tolerance: Option<u64>,
}

#[php_impl]
impl Verifier {
    /// `new HookGuard\Verifier(string $scheme, string|array $secrets, array $options = [])`
    pub fn __construct(scheme: StrParam, secrets: &Zval, options: Option<&Zval>) -> PhpResult<Self> {
        let caller = Caller("HookGuard\\Verifier::__construct");
        let name = caller.bytes((1, "scheme"), scheme)?;
        let opts = args::options(caller, (3, "options"), options)?;
        let scheme = signatures::scheme(caller, name, &opts, (3, "options"))?;
        let secrets = args::secrets(caller, (2, "secrets"), secrets)?;
        let prepared = Prepared::new(scheme, &secrets).map_err(|e| bad_secret(caller, (2, "secrets"), e))?;
        Ok(Verifier { prepared, now: opts.now, tolerance: opts.tolerance })
    }

    /// `->verify(string $body, array $headers): bool`, exactly `->check(...) === 'ok'`.
    pub fn verify(&self, body: StrParam, headers: ArrayParam) -> PhpResult<bool> {
        self.run(Caller("HookGuard\\Verifier::verify"), body, headers).map(Reason::is_ok)
    }

    /// `->check(string $body, array $headers): string`, a reason code.
    pub fn check(&self, body: StrParam, headers: ArrayParam) -> PhpResult<&'static str> {
        self.run(Caller("HookGuard\\Verifier::check"), body, headers).map(Reason::code)
    }
}

impl Verifier {
    fn run(&self, caller: Caller, body: StrParam, headers: ArrayParam) -> PhpResult<Reason> {
        let body = caller.bytes((1, "body"), body)?;
        let headers = args::array(caller, (2, "headers"), headers.0)?;
        let scheme = self.prepared.scheme();
        let wanted = scheme.header_names();
        let headers = args::headers(headers, &wanted);
        Ok(self.prepared.check(body, &headers, clock(scheme, self.now, self.tolerance)))
    }
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.class::<Verifier>()
}
