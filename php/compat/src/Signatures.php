<?php
namespace HookGuard\Compat;

/**
 * hookguard_sign/verify/check in PHP: src/check.rs, src/sign.rs and the
 * argument handling of src/php/signatures.rs, with the same order of checks,
 * the same reason codes and the same error messages.
 *
 * Checking order: signature present and well-formed, then timestamp present,
 * parsed and within tolerance, then message id, then the MAC under every
 * secret against every candidate signature, without exiting early: with a
 * rotation list, the time taken does not say which secret (or whether any)
 * matched.
 */
final class Signatures
{
    /** Every reason code check() returns, 'ok' first, in the extension's order (src/reason.rs). */
    public const REASONS = ['ok', 'missing_signature', 'malformed_signature', 'missing_timestamp', 'malformed_timestamp', 'missing_id', 'timestamp_too_old', 'timestamp_in_future', 'signature_mismatch'];

    /** Default allowed clock skew for timestamped schemes. */
    public const DEFAULT_TOLERANCE = 300;

    /** At most this many signatures are tried from one header (Stripe, Standard Webhooks). */
    private const MAX_CANDIDATES = 8;

    /** @throws Misuse */
    public static function check(string $caller, string $name, string $body, array $headers, #[\SensitiveParameter] string|array $secrets, array $options): string
    {
        return Prepared::new($caller, 4, 5, $name, $secrets, $options)->check($body, $headers);
    }

    /**
     * @return array<string, string> header name => value, in the sender's spelling
     * @throws Misuse
     */
    public static function sign(string $caller, string $name, string $body, #[\SensitiveParameter] string $secret, array $options): array
    {
        $opts = Options::parse($caller, 4, $options);
        $scheme = self::scheme($caller, $name, $opts, 4);
        $ts = (string) ($opts->timestamp ?? time());
        $id = $opts->id ?? ($scheme->idHeader !== null ? self::freshId($scheme) : '');
        $key = self::key($caller, 3, 'secret', $scheme, $secret);
        $tag = hash_hmac($scheme->algo, self::signedContent($scheme, $body, $ts, $id), $key, true);
        $out = match ($scheme->form) {
            Scheme::HEADER => [$scheme->signatureHeader => $scheme->prefix . ($scheme->encoding === 'hex' ? bin2hex($tag) : base64_encode($tag))],
            Scheme::STRIPE => ['Stripe-Signature' => "t=$ts,v1=" . bin2hex($tag)],
            Scheme::STANDARD_WEBHOOKS => ['webhook-signature' => 'v1,' . base64_encode($tag)],
        };
        if ($scheme->timestampHeader !== null) {
            $out[$scheme->timestampHeader] = $ts;
        }
        if ($scheme->idHeader !== null) {
            $out[$scheme->idHeader] = $id;
        }
        return $out;
    }

    public static function scheme(string $caller, string $name, Options $opts, int $optionsPosition): Scheme
    {
        $scheme = Scheme::resolve($name, $opts->layout);
        if ($scheme === '') {
            throw Misuse::value($caller, 1, 'scheme', 'must be a supported scheme ("' . implode('", "', Scheme::NAMES) . '")');
        }
        if (is_string($scheme)) {
            throw Misuse::value($caller, $optionsPosition, 'options', $scheme);
        }
        return $scheme;
    }

    /** @return list<string> */
    public static function secrets(string $caller, int $position, #[\SensitiveParameter] string|array $secrets): array
    {
        if (is_string($secrets)) {
            return [$secrets];
        }
        $badType = null;
        foreach ($secrets as $secret) {
            if (!is_string($secret)) {
                $badType = Options::typeName($secret);
            }
        }
        if ($badType !== null) {
            throw Misuse::type($caller, $position, 'secrets', "must contain only strings, $badType found");
        }
        if ($secrets === []) {
            throw Misuse::value($caller, $position, 'secrets', 'must not be empty');
        }
        return array_values($secrets);
    }

    public static function key(string $caller, int $position, string $argument, Scheme $scheme, #[\SensitiveParameter] string $secret): string
    {
        $key = Wire::key($scheme->key, $secret);
        if ($key === null) {
            throw Misuse::value($caller, $position, $argument, 'must not be empty');
        }
        if ($key === false) {
            throw Misuse::value($caller, $position, $argument, 'must be a Standard Webhooks secret ("whsec_" followed by base64)');
        }
        return $key;
    }

    /** @param list<string> $keys */
    public static function authenticate(Scheme $scheme, string $body, array $headers, #[\SensitiveParameter] array $keys, int $now, int $tolerance): string
    {
        $found = Headers::find($headers, $scheme->headerNames);
        $value = $found[$scheme->signatureHeader];
        if ($value === null) {
            return 'missing_signature';
        }
        $candidates = [];
        $timestamp = null;
        if ($scheme->form === Scheme::HEADER) {
            $prefix = strlen($scheme->prefix);
            $candidate = strlen($value) >= $prefix && strncasecmp($value, $scheme->prefix, $prefix) === 0
                ? Wire::decodeSignature($scheme->encoding, substr($value, $prefix), $scheme->macLength) : null;
            if ($candidate === null) {
                return 'malformed_signature';
            }
            $candidates[] = $candidate;
        } elseif ($scheme->form === Scheme::STRIPE) {
            foreach (explode(',', $value) as $item) {
                $eq = strpos($item, '=');
                $name = $eq === false ? null : substr($item, 0, $eq);
                if ($name === 't' && $timestamp === null) {
                    $timestamp = substr($item, 2);
                } elseif ($name === 'v1') {
                    self::addCandidate($candidates, 'hex', substr($item, 3), $scheme->macLength);
                }
                // v0 and other schemes are ignored, as Stripe does.
            }
            if ($candidates === []) {
                return 'malformed_signature';
            }
            if ($timestamp === null) {
                return 'missing_timestamp';
            }
        } else {
            foreach (explode(' ', $value) as $item) {
                if (str_starts_with($item, 'v1,')) {
                    self::addCandidate($candidates, 'base64', substr($item, 3), $scheme->macLength);
                }
            }
            if ($candidates === []) {
                return 'malformed_signature';
            }
        }

        if ($scheme->timestampHeader !== null) {
            $timestamp = $found[$scheme->timestampHeader];
            if ($timestamp === null) {
                return 'missing_timestamp';
            }
        }
        if ($timestamp !== null) {
            $t = Wire::timestamp($timestamp);
            if ($t === null) {
                return 'malformed_timestamp';
            }
            // $t has at most 15 digits and $now is any int: $now - $t can only
            // leave the integers downwards (then it is not "too old"), while
            // $t - $now can pass PHP_INT_MAX, which is beyond any tolerance.
            if ($now - $t > $tolerance) {
                return 'timestamp_too_old';
            }
            if ($now < $t - PHP_INT_MAX || $t - $now > $tolerance) {
                return 'timestamp_in_future';
            }
        }
        $id = '';
        if ($scheme->idHeader !== null && $scheme->signsId) {
            $id = $found[$scheme->idHeader];
            if ($id === null) {
                return 'missing_id';
            }
        }

        $content = self::signedContent($scheme, $body, $timestamp ?? '', $id);
        $matched = 0;
        foreach ($keys as $key) {
            $tag = hash_hmac($scheme->algo, $content, $key, true);
            foreach ($candidates as $candidate) {
                $matched |= (int) hash_equals($tag, $candidate);
            }
        }
        return $matched === 1 ? 'ok' : 'signature_mismatch';
    }

    /** Decodes one more candidate signature, while fewer than MAX_CANDIDATES are held; a malformed one is skipped. */
    private static function addCandidate(array &$candidates, string $encoding, string $text, int $length): void
    {
        if (count($candidates) < self::MAX_CANDIDATES && ($candidate = Wire::decodeSignature($encoding, $text, $length)) !== null) {
            $candidates[] = $candidate;
        }
    }

    private static function signedContent(Scheme $scheme, string $body, string $timestamp, string $id): string
    {
        if ($scheme->content === [Scheme::BODY]) {
            return $body;
        }
        $content = '';
        foreach ($scheme->content as $part) {
            $content .= match ($part) {
                Scheme::BODY => $body,
                Scheme::TIMESTAMP => $timestamp,
                Scheme::ID => $id,
                default => $part,
            };
        }
        return $content;
    }

    /** A fresh message id: `msg_` + 16 base62 characters for Standard Webhooks, a UUID v4 otherwise. */
    private static function freshId(Scheme $scheme): string
    {
        $r = random_bytes(16);
        if ($scheme->name === 'standard-webhooks') {
            $alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
            $id = 'msg_';
            for ($i = 0; $i < 16; $i++) {
                $id .= $alphabet[ord($r[$i]) % 62];
            }
            return $id;
        }
        $r[6] = chr((ord($r[6]) & 0x0f) | 0x40);
        $r[8] = chr((ord($r[8]) & 0x3f) | 0x80);
        $h = bin2hex($r);
        return substr($h, 0, 8) . '-' . substr($h, 8, 4) . '-' . substr($h, 12, 4) . '-' . substr($h, 16, 4) . '-' . substr($h, 20);
    }
}
