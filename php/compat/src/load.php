<?php
// The PHP implementation's classes (namespace HookGuard\Compat), without the
// hookguard_*() functions and HookGuard\Verifier (src/Verifier.php, with
// its VerifierMethods): php/compat/hookguard.php defines those when the
// extension is absent; tests/compat/differential.php loads this beside the
// extension to compare the two in one process.
require_once __DIR__ . '/Misuse.php';
require_once __DIR__ . '/Scheme.php';
require_once __DIR__ . '/Options.php';
require_once __DIR__ . '/Wire.php';
require_once __DIR__ . '/Headers.php';
require_once __DIR__ . '/Signatures.php';
require_once __DIR__ . '/Prepared.php';
require_once __DIR__ . '/Gcra.php';
require_once __DIR__ . '/ApcuStore.php';
require_once __DIR__ . '/FileStore.php';
require_once __DIR__ . '/MemoryStore.php';
require_once __DIR__ . '/RateLimiter.php';
