<?php

/**
 * @generate-class-entries
 * The hookguard extension's PHP API, for IDEs and static analysers.
 * Never include this file: the functions and the class come from
 * hookguard.so, or, where the extension cannot be loaded, from
 * php/compat/hookguard.php (the same API in pure PHP; it defines nothing
 * when the extension is loaded).
 *
 * Schemes (hookguard_schemes()): woocommerce, shopify, github, woo-order-sync,
 * pipedrive, wp-relay, stripe, standard-webhooks, slack, hmac.
 *
 * Options (the $options array of sign/verify/check):
 * - tolerance (int, seconds, default 300): allowed |now - timestamp| for timestamped schemes
 * - now (int, Unix seconds): the clock to check against (tests); default the system clock
 * - timestamp (int) and id (string): what hookguard_sign() puts in timestamped / id-carrying headers
 * - algo ("sha1"|"sha256"|"sha512"): for woocommerce (its woocommerce_webhook_hash_algorithm filter) and hmac
 * - for the hmac scheme only: header (required), encoding ("hex"|"base64", default hex),
 *   prefix (e.g. "sha256="), timestamp_header, id_header, signed_content (a template of
 *   {body}, {timestamp} and {id}; default "{body}", or "{timestamp}.{body}" with a timestamp_header)
 *
 * Reason codes (hookguard_check()): ok, missing_signature, malformed_signature,
 * missing_timestamp, malformed_timestamp, missing_id, timestamp_too_old,
 * timestamp_in_future, signature_mismatch.
 */

namespace { // the functions and constants: hookguard_*, HOOKGUARD_*

/**
 * Which implementation runs: "native" (the extension) or "php"
 * (php/compat/hookguard.php). `php --ri hookguard` shows it too (native only).
 */
const HOOKGUARD_IMPLEMENTATION = 'native';

/**
 * How hookguard_rate_limit() counts, in the words of the "rate limiter" row
 * of `php --ri hookguard`: "shared by all worker processes" (the extension's
 * shared table; "... (through APCu)" for the PHP implementation), or
 * "per-process (why)", e.g. "per-process (the cli SAPI runs one process)".
 */
const HOOKGUARD_RATE_LIMITER_MODE = 'shared by all worker processes';

/**
 * The headers the scheme's sender sends with $body, name => value,
 * e.g. ['X-WC-Webhook-Signature' => '…'].
 *
 * @param array{timestamp?: int, id?: string, algo?: string, encoding?: string, header?: string, prefix?: string, timestamp_header?: string, id_header?: string, signed_content?: string} $options
 * @return array<string, string>
 * @throws ValueError for an unknown scheme, an empty or malformed secret, or a bad option
 * @throws TypeError for an option of the wrong type
 */
function hookguard_sign(string $scheme, string $body, #[\SensitiveParameter] string $secret, array $options = []): array {}

/**
 * Whether $body is authentic: exactly hookguard_check(...) === 'ok'.
 *
 * @param array<string, string|list<string>> $headers $_SERVER, getallheaders() or WP_REST_Request::get_headers()
 * @param string|list<string> $secrets one secret, or several during a rotation (valid if any matches)
 * @param array{tolerance?: int, now?: int, algo?: string, encoding?: string, header?: string, prefix?: string, timestamp_header?: string, id_header?: string, signed_content?: string} $options
 * @throws ValueError for an unknown scheme, an empty or malformed secret, or a bad option
 * @throws TypeError for arguments or options of the wrong type
 */
function hookguard_verify(string $scheme, string $body, array $headers, #[\SensitiveParameter] string|array $secrets, array $options = []): bool {}

/**
 * 'ok', or the reason the delivery is not authentic (see the codes above).
 * Input from the network never throws; only programming errors do.
 *
 * @param array<string, string|list<string>> $headers
 * @param string|list<string> $secrets
 * @param array{tolerance?: int, now?: int, algo?: string, encoding?: string, header?: string, prefix?: string, timestamp_header?: string, id_header?: string, signed_content?: string} $options
 * @return 'ok'|'missing_signature'|'malformed_signature'|'missing_timestamp'|'malformed_timestamp'|'missing_id'|'timestamp_too_old'|'timestamp_in_future'|'signature_mismatch'
 * @throws ValueError
 * @throws TypeError
 */
function hookguard_check(string $scheme, string $body, array $headers, #[\SensitiveParameter] string|array $secrets, array $options = []): string {}

/** Constant-time string comparison, like hash_equals(). */
function hookguard_equals(#[\SensitiveParameter] string $known, #[\SensitiveParameter] string $user): bool {}

/**
 * The supported scheme names.
 *
 * @return list<string>
 */
function hookguard_schemes(): array {}

/**
 * Every reason code hookguard_check() can return, 'ok' first, in a stable
 * order: the list a caller maps to HTTP answers or messages, so a code added
 * by a newer extension is never an unknown index.
 *
 * @return non-empty-list<string>
 */
function hookguard_reasons(): array {}

/**
 * Spends $cost of $key's allowance of $limit per $period_seconds, in a table
 * shared by every worker process of the server (php-fpm pool, Apache
 * prefork; the PHP implementation shares it through APCu); per-process in
 * the CLI (see HOOKGUARD_RATE_LIMITER_MODE).
 *
 * GCRA, as redis-cell: a key idle for a full period may spend $limit at once,
 * then earns one unit back every $period_seconds / $limit. Over any interval
 * of w seconds at most $limit + floor(w * $limit / $period_seconds) units are
 * admitted. A denied request spends nothing; $cost = 0 only reports.
 *
 * @param string $key any bytes: an IP address, "source:ip", …
 * @return array{allowed: bool, remaining: int, retry_after: int, reset_after: int}
 *         remaining: cost-1 requests still allowed now; retry_after: seconds
 *         (rounded up) until this request would be allowed, 0 if it was;
 *         reset_after: seconds until the key is back to its full $limit
 * @throws ValueError if $limit < 1, $period_seconds < 1 or over ten years,
 *         $limit above 10^9 per second, $cost < 0 or $cost > $limit
 * @throws Error if the extension could not allocate its table at start-up
 */
function hookguard_rate_limit(string $key, int $limit, int $period_seconds, int $cost = 1): array {}

/** Forgets $key: its next request starts from a full allowance. */
function hookguard_rate_limit_reset(string $key): void {}

} // namespace

namespace HookGuard {
    /**
     * hookguard_verify()/hookguard_check() prepared once: the scheme, the
     * secrets and the options are converted and validated by the constructor,
     * so each delivery costs only its headers, its MAC and the comparison.
     * verify() and check() give exactly what the functions give for the same
     * arguments. Misuse throws as the functions do, naming this class's
     * arguments ("HookGuard\Verifier::__construct(): Argument #2 ($secrets)
     * must not be empty"). The object holds no secret it would show:
     * var_dump(), print_r() and var_export() print no property; clone throws
     * Error, serialize() and unserialize() throw Exception.
     *
     *     $verifier = new HookGuard\Verifier('woocommerce', [$new_secret, $old_secret]);
     *     if (!$verifier->verify(file_get_contents('php://input'), $_SERVER)) { ... }
     */
    // phpcs:ignore Generic.Classes.DuplicateClassName.Found -- php/compat declares it too, where the extension is absent
    final class Verifier
    {
        /**
         * @param string|list<string> $secrets one secret, or several during a rotation (valid if any matches)
         * @param array{tolerance?: int, now?: int, algo?: string, encoding?: string, header?: string, prefix?: string, timestamp_header?: string, id_header?: string, signed_content?: string} $options
         * @throws \ValueError for an unknown scheme, an empty or malformed secret, or a bad option
         * @throws \TypeError for arguments or options of the wrong type
         */
        public function __construct(string $scheme, #[\SensitiveParameter] string|array $secrets, array $options = []) {}

        /**
         * Whether $body is authentic: exactly $this->check(...) === 'ok'.
         *
         * @param array<string, string|list<string>> $headers $_SERVER, getallheaders() or WP_REST_Request::get_headers()
         */
        public function verify(string $body, array $headers): bool {}

        /**
         * 'ok', or the reason the delivery is not authentic (the codes of hookguard_check()).
         *
         * @param array<string, string|list<string>> $headers
         * @return 'ok'|'missing_signature'|'malformed_signature'|'missing_timestamp'|'malformed_timestamp'|'missing_id'|'timestamp_too_old'|'timestamp_in_future'|'signature_mismatch'
         */
        public function check(string $body, array $headers): string {}
    }
}
