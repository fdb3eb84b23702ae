<?php
namespace HookGuard\Compat;

/**
 * Text forms on the wire and secret-to-key rules: src/encoding.rs and
 * src/keys.rs in PHP, accepting and refusing exactly the same inputs.
 */
final class Wire
{
    /** Longest base64 text a signature may be (src/encoding.rs: 4 × 66 / 3). */
    private const MAX_BASE64_SIGNATURE = 88;

    /**
     * Base64 as the extension's BASE64_LENIENT decodes it: standard
     * alphabet, no whitespace, padding either canonical or shortened, unused
     * trailing bits zero. Null when the text is not of that form.
     */
    public static function base64Decode(string $text): ?string
    {
        $data = rtrim($text, '=');
        $remainder = strlen($data) % 4;
        if ($remainder === 1 || strlen($text) - strlen($data) > (4 - $remainder) % 4) {
            return null;
        }
        // Decoding and encoding back gives the text again exactly when every
        // symbol is of the alphabet (strict mode would skip whitespace) and
        // the unused trailing bits are zero.
        $bytes = base64_decode($data, true);
        return $bytes !== false && rtrim(base64_encode($bytes), '=') === $data ? $bytes : null;
    }

    /** A signature of exactly $length bytes in $encoding, or null. */
    public static function decodeSignature(string $encoding, string $text, int $length): ?string
    {
        if ($encoding === 'hex') {
            return strlen($text) === 2 * $length && preg_match('/^[0-9a-fA-F]*\z/', $text) ? hex2bin($text) : null;
        }
        if (strlen($text) > self::MAX_BASE64_SIGNATURE) {
            return null;
        }
        $bytes = self::base64Decode($text);
        return $bytes !== null && strlen($bytes) === $length ? $bytes : null;
    }

    /** A Unix timestamp written as 1 to 15 ASCII digits, else null. */
    public static function timestamp(string $text): ?int
    {
        return preg_match('/^[0-9]{1,15}\z/', $text) ? (int) $text : null;
    }

    /**
     * The HMAC key a sender makes of its secret (src/keys.rs), or null for
     * an empty secret, or false for a Standard Webhooks secret that is not
     * "whsec_" + base64.
     *
     * @param 'raw'|'wp'|'whsec' $form
     */
    public static function key(string $form, #[\SensitiveParameter] string $secret): string|null|false
    {
        if ($secret === '') {
            return null;
        }
        if ($form === 'wp') {
            return str_contains($secret, '&') ? self::wpSpecialcharsDecodeQuotes($secret) : $secret;
        }
        if ($form === 'whsec') {
            $key = self::base64Decode(str_starts_with($secret, 'whsec_') ? substr($secret, 6) : $secret);
            return $key === null || $key === '' ? false : $key;
        }
        return $secret;
    }

    /**
     * WordPress's wp_specialchars_decode($s, ENT_QUOTES), byte for byte: the
     * named entities &quot; &lt; &gt; &amp; and the numeric ones for ' " < > &
     * with any number of leading zeros; one pass, no re-scanning (as strtr).
     */
    private static function wpSpecialcharsDecodeQuotes(#[\SensitiveParameter] string $s): string
    {
        static $chars = ['quot' => '"', 'lt' => '<', 'gt' => '>', 'amp' => '&',
                         '39' => "'", '34' => '"', '60' => '<', '62' => '>', '38' => '&',
                         '27' => "'", '22' => '"', '26' => '&'];
        return preg_replace_callback(
            '/&(?:(quot|lt|gt|amp);|#0*(39|34|60|62|38);|#[xX]0*(27|22|26);)/',
            fn(array $m) => $chars[$m[count($m) - 1]], // the one group that matched is the last one PCRE reports
            $s,
        );
    }
}
