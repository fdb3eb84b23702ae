<?php

/**
 * @generate-function-entries
 * The hookguard extension's PHP API, for IDEs and static analysers.
 * Never include this file: the functions come from hookguard.so.
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
