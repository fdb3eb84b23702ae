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
    /**
     * The first non-empty value of each wanted header (null when absent),
     * in one pass over $headers ($_SERVER holds dozens of entries).
     *
     * @param list<string> $wanted header names, written with '-'
     * @return array<string, ?string> wanted name => value
     */
    public static function find(array $headers, array $wanted): array
    {
        $found = [];
        $folded = [];
        foreach ($wanted as $name) {
            $found[$name] = null;
            $folded[$name] = strtr(strtolower($name), '_', '-');
        }
        $open = count($wanted);
        foreach ($headers as $key => $value) {
            if (!is_string($key)) {
                continue;
            }
            foreach ($folded as $name => $want) {
                if ($found[$name] !== null || !self::nameMatches($key, $want)) {
                    continue;
                }
                $found[$name] = self::firstValue($value);
                if ($found[$name] !== null && --$open === 0) {
                    return $found;
                }
            }
        }
        return $found;
    }

    private static function nameMatches(string $given, string $want): bool
    {
        $extra = strlen($given) - strlen($want);
        if ($extra === 0) {
            return strtr(strtolower($given), '_', '-') === $want;
        }
        return $extra === 5 && strtr(strtolower($given), '_', '-') === "http-$want";
    }

    /** The first non-empty trimmed string in a header value or list of values. */
    private static function firstValue(mixed $value): ?string
    {
        foreach (is_array($value) ? $value : [$value] as $item) {
            if (is_string($item) && ($item = trim($item, " \t")) !== '') {
                return $item;
            }
        }
        return null;
    }
}
