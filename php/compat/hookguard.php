<?php
/**
 * HookGuard in pure PHP, for hosts that cannot load the extension.
 *
 *   require_once '/path/to/php/compat/hookguard.php';
 *
 * With the hookguard extension loaded this defines nothing and the native
 * functions run. Without it, it defines every function and constant of
 * php/hookguard.stub.php with the same signatures and the same results:
 * the same headers from hookguard_sign(), the same reason codes from
 * hookguard_check(), the same ValueError/TypeError messages.
 * HOOKGUARD_IMPLEMENTATION tells which one runs ("native" or "php").
 * Likewise the class HookGuard\Verifier, declared only where the extension's
 * is absent.
 *
 * Needs only PHP 8.2's always-present extensions (hash, pcre, random).
 * hookguard_rate_limit() is shared by the workers of a pool through APCu
 * when it is enabled, else through files in the temporary directory
 * (src/RateLimiter.php says which, and what is exact under concurrency).
 */

if (!function_exists('hookguard_check')) {
    require_once __DIR__ . '/src/load.php';

    define('HOOKGUARD_IMPLEMENTATION', 'php');
    define('HOOKGUARD_RATE_LIMITER_MODE', \HookGuard\Compat\RateLimiter::mode());

    function hookguard_sign(string $scheme, string $body, #[\SensitiveParameter] string $secret, array $options = []): array
    {
        try {
            return \HookGuard\Compat\Signatures::sign('hookguard_sign', $scheme, $body, $secret, $options);
        } catch (\HookGuard\Compat\Misuse $e) {
            throw new ($e->class)($e->getMessage());
        }
    }

    function hookguard_verify(string $scheme, string $body, array $headers, #[\SensitiveParameter] string|array $secrets, array $options = []): bool
    {
        try {
            return \HookGuard\Compat\Signatures::check('hookguard_verify', $scheme, $body, $headers, $secrets, $options) === 'ok';
        } catch (\HookGuard\Compat\Misuse $e) {
            throw new ($e->class)($e->getMessage());
        }
    }

    function hookguard_check(string $scheme, string $body, array $headers, #[\SensitiveParameter] string|array $secrets, array $options = []): string
    {
        try {
            return \HookGuard\Compat\Signatures::check('hookguard_check', $scheme, $body, $headers, $secrets, $options);
        } catch (\HookGuard\Compat\Misuse $e) {
            throw new ($e->class)($e->getMessage());
        }
    }

    function hookguard_equals(#[\SensitiveParameter] string $known, #[\SensitiveParameter] string $user): bool
    {
        return hash_equals($known, $user);
    }

    function hookguard_schemes(): array
    {
        return \HookGuard\Compat\Scheme::NAMES;
    }

    function hookguard_reasons(): array
    {
        return \HookGuard\Compat\Signatures::REASONS;
    }

    function hookguard_rate_limit(string $key, int $limit, int $period_seconds, int $cost = 1): array
    {
        try {
            return \HookGuard\Compat\RateLimiter::check('hookguard_rate_limit', $key, $limit, $period_seconds, $cost);
        } catch (\HookGuard\Compat\Misuse $e) {
            throw new ($e->class)($e->getMessage());
        }
    }

    function hookguard_rate_limit_reset(string $key): void
    {
        \HookGuard\Compat\RateLimiter::reset($key);
    }
}

if (!class_exists('HookGuard\\Verifier', false)) {
    require_once __DIR__ . '/src/load.php';
    require_once __DIR__ . '/src/Verifier.php';
}
