<?php
namespace HookGuard\Compat;

/**
 * Header lookup over every shape PHP hands headers over in (src/headers.rs):
 * `$_SERVER` (HTTP_X_WC_WEBHOOK_SIGNATURE), getallheaders()
 * (X-WC-Webhook-Signature, any case) and WP_REST_Request::get_headers()
 * (x_wc_webhook_signature => list of values).
 *
 * Names compare ASCII-case-insensitively with `_` equal to `-`, an `HTTP_`
 * prefix ignored; values are trimmed of spaces and tabs; the first
 * non-empty value wins. Entries with integer keys, and values that are
 * neither strings nor lists of strings, are ignored.
 */
final class Headers
{
    /** ASCII lower case with '_' as '-': how header names compare. */
    public static function fold(string $name): string
    {
        return strtr(strtolower($name), '_', '-');
    }

    /**
     * The first non-empty value of each wanted header (null when absent),
     * in one pass over $headers ($_SERVER holds dozens of entries).
     *
     * @param array<string, string> $wanted header name => fold(name)
     * @return array<string, ?string> header name => value
     */
    public static function find(array $headers, array $wanted): array
    {
        $found = [];
        $open = count($wanted);
        foreach ($headers as $key => $value) {
            if (!is_string($key)) {
                continue;
            }
            $folded = null;
            foreach ($wanted as $name => $want) {
                // Only lengths that can match are folded: $_SERVER's other keys cost one strlen.
                $extra = strlen($key) - strlen($want);
                if (($extra !== 0 && $extra !== 5) || isset($found[$name])) {
                    continue;
                }
                $folded ??= self::fold($key);
                if ($extra === 0 ? $folded !== $want : $folded !== "http-$want") {
                    continue;
                }
                $first = is_string($value) ? trim($value, " \t") : self::firstValue($value);
                if ($first !== '' && $first !== null) {
                    $found[$name] = $first;
                    if (--$open === 0) {
                        return $found;
                    }
                }
            }
        }
        return $found + array_fill_keys(array_keys($wanted), null);
    }

    /** The first non-empty trimmed string in a list of header values. */
    private static function firstValue(mixed $value): ?string
    {
        foreach (is_array($value) ? $value : [] as $item) {
            if (is_string($item) && ($item = trim($item, " \t")) !== '') {
                return $item;
            }
        }
        return null;
    }
}
