<?php
namespace HookGuard\Compat;

/**
 * The senders' signature schemes, as data: src/scheme.rs in PHP, with the
 * same names, defaults, option checks and error wording.
 */
final class Scheme
{
    /** Every scheme name hookguard_schemes() reports, in a stable order. */
    public const NAMES = ['woocommerce', 'shopify', 'github', 'woo-order-sync', 'pipedrive',
                          'wp-relay', 'stripe', 'standard-webhooks', 'slack', 'hmac'];

    /** Parts of the signed content that are not literal text. */
    public const BODY = 0;
    public const TIMESTAMP = 1;
    public const ID = 2;

    /** Signature forms. */
    public const HEADER = 'header';
    public const STRIPE = 'stripe';
    public const STANDARD_WEBHOOKS = 'standard-webhooks';

    /** MAC length in bytes per algorithm. */
    public const OUTPUT_LEN = ['sha1' => 20, 'sha256' => 32, 'sha512' => 64];

    private const HEADER_NAME_RULE = "must be a header name (letters, digits, '-', '_')";
    private const BAD_ALGO = 'option "algo" must be one of "sha1", "sha256", "sha512"';

    public readonly bool $timestamped;
    public readonly bool $signsId;
    public readonly int $macLength;
    /** @var array<string, string> every header a check reads => its name folded for Headers::find() */
    public readonly array $headerNames;

    /**
     * @param 'raw'|'wp'|'whsec' $key how the secret becomes the HMAC key (Keys::derive)
     * @param list<int|string> $content the signed content: BODY/TIMESTAMP/ID or literal strings
     */
    private function __construct(
        public readonly string $name,
        public readonly string $algo,
        public readonly string $key,
        public readonly string $form,
        public readonly string $signatureHeader,
        public readonly string $prefix,
        public readonly string $encoding,
        public readonly ?string $timestampHeader,
        public readonly ?string $idHeader,
        public readonly array $content,
    ) {
        $this->timestamped = in_array(self::TIMESTAMP, $content, true);
        $this->signsId = in_array(self::ID, $content, true);
        $this->macLength = self::OUTPUT_LEN[$algo];
        $names = array_filter([$signatureHeader, $timestampHeader, $idHeader], 'is_string');
        $this->headerNames = array_combine($names, array_map([Headers::class, 'fold'], $names));
    }

    /**
     * The scheme $name shaped by the layout options that were set (algo,
     * encoding, header, prefix, timestamp_header, id_header, signed_content).
     *
     * @param array<string, string> $layout
     * @return self|string the scheme, or why not: '' for an unknown scheme,
     *         else the option's error ("option \"key\" why")
     */
    public static function resolve(string $name, array $layout): self|string
    {
        static $named = [];
        if ($layout !== []) {
            return self::build($name, $layout);
        }
        if (!isset($named[$name])) {
            $scheme = self::build($name, []);
            if (is_string($scheme)) {
                return $scheme;
            }
            $named[$name] = $scheme;
        }
        return $named[$name];
    }

    private static function build(string $name, array $layout): self|string
    {
        if (!in_array($name, self::NAMES, true)) {
            return '';
        }
        if ($name !== 'hmac' && ($unused = self::unusedOption($name, $layout)) !== null) {
            return $unused;
        }
        $body = [self::BODY];
        $tsDotBody = [self::TIMESTAMP, '.', self::BODY];
        $h = fn(string $algo, string $header, string $prefix, string $encoding, array $content, string $key = 'raw', ?string $ts = null, ?string $id = null)
            => new self($name, $algo, $key, self::HEADER, $header, $prefix, $encoding, $ts, $id, $content);
        switch ($name) {
            case 'woocommerce':
                // The shop can change it with `woocommerce_webhook_hash_algorithm`.
                $algo = self::algo($layout);
                return $algo === null ? self::BAD_ALGO : $h($algo, 'X-WC-Webhook-Signature', '', 'base64', $body, 'wp');
            case 'shopify': return $h('sha256', 'X-Shopify-Hmac-Sha256', '', 'base64', $body);
            case 'github': return $h('sha256', 'X-Hub-Signature-256', 'sha256=', 'hex', $body);
            case 'woo-order-sync': return $h('sha256', 'X-Woo-Signature', 'sha256=', 'hex', $body);
            case 'pipedrive': return $h('sha1', 'X-Pipedrive-Signature', '', 'hex', $body);
            case 'wp-relay': return $h('sha256', 'X-WP-Signature', '', 'base64', $tsDotBody, 'raw', 'X-WP-Timestamp', 'X-Event-Id');
            case 'stripe': return new self($name, 'sha256', 'raw', self::STRIPE, 'Stripe-Signature', '', 'hex', null, null, $tsDotBody);
            case 'standard-webhooks':
                return new self($name, 'sha256', 'whsec', self::STANDARD_WEBHOOKS, 'webhook-signature', '', 'base64',
                    'webhook-timestamp', 'webhook-id', [self::ID, '.', self::TIMESTAMP, '.', self::BODY]);
            case 'slack': return $h('sha256', 'X-Slack-Signature', 'v0=', 'hex', ['v0:', self::TIMESTAMP, ':', self::BODY], 'raw', 'X-Slack-Request-Timestamp');
        }
        return self::generic($layout);
    }

    /** The algo option's value (default sha256), or null when it names no supported algorithm. */
    private static function algo(array $layout): ?string
    {
        $algo = $layout['algo'] ?? 'sha256';
        return isset(self::OUTPUT_LEN[$algo]) ? $algo : null;
    }

    private static function unusedOption(string $name, array $layout): ?string
    {
        foreach (['algo', 'encoding', 'header', 'prefix', 'timestamp_header', 'id_header', 'signed_content'] as $key) {
            if (isset($layout[$key]) && !($key === 'algo' && $name === 'woocommerce')) {
                return "option \"$key\" is not used by scheme \"$name\"; use scheme \"hmac\"";
            }
        }
        return null;
    }

    /** The `hmac` scheme: a sender described entirely by options. */
    private static function generic(array $layout): self|string
    {
        $header = $layout['header'] ?? null;
        if ($header === null) {
            return 'option "header" is required by scheme "hmac"';
        }
        if (!self::isHeaderName($header)) {
            return 'option "header" ' . self::HEADER_NAME_RULE;
        }
        $encoding = $layout['encoding'] ?? 'hex';
        if ($encoding !== 'hex' && $encoding !== 'base64') {
            return 'option "encoding" must be "hex" or "base64"';
        }
        foreach (['timestamp_header', 'id_header'] as $key) {
            if (isset($layout[$key]) && !self::isHeaderName($layout[$key])) {
                return "option \"$key\" " . self::HEADER_NAME_RULE;
            }
        }
        $ts = $layout['timestamp_header'] ?? null;
        $id = $layout['id_header'] ?? null;
        // A receiver reads each header by name: two parts under one name, or a
        // prefix that header trimming eats, could be signed but never verified.
        if ($ts !== null && self::sameHeader($header, $ts)) {
            return 'option "timestamp_header" must differ from the signature header';
        }
        if ($id !== null && (self::sameHeader($header, $id) || ($ts !== null && self::sameHeader($ts, $id)))) {
            return 'option "id_header" must differ from the signature and timestamp headers';
        }
        if (isset($layout['prefix']) && $layout['prefix'] !== '' && ($layout['prefix'][0] === ' ' || $layout['prefix'][0] === "\t")) {
            return 'option "prefix" must not start with a space or tab (header values are trimmed)';
        }
        $content = self::parseTemplate($layout['signed_content'] ?? ($ts !== null ? '{timestamp}.{body}' : '{body}'));
        if (is_string($content)) {
            return 'option "signed_content" ' . $content;
        }
        if (in_array(self::TIMESTAMP, $content, true) !== ($ts !== null)) {
            return 'option "signed_content" must contain {timestamp} exactly when timestamp_header is set';
        }
        if (in_array(self::ID, $content, true) && $id === null) {
            return 'option "signed_content" uses {id}, which needs id_header';
        }
        $algo = self::algo($layout);
        if ($algo === null) {
            return self::BAD_ALGO;
        }
        return new self('hmac', $algo, 'raw', self::HEADER, $header, $layout['prefix'] ?? '', $encoding, $ts, $id, $content);
    }

    /** Whether a receiver would read $a and $b as one header (an "HTTP_" prefix included, as in $_SERVER). */
    private static function sameHeader(string $a, string $b): bool
    {
        $a = Headers::fold($a);
        $b = Headers::fold($b);
        return $a === $b || 'http-' . $a === $b || 'http-' . $b === $a;
    }

    private static function isHeaderName(string $h): bool
    {
        return $h !== '' && strspn($h, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') === strlen($h);
    }

    /**
     * "{timestamp}.{body}" → [TIMESTAMP, '.', BODY]; {body} exactly once.
     *
     * @return list<int|string>|string the parts, or why the template is refused
     */
    private static function parseTemplate(string $t): array|string
    {
        $parts = [];
        $at = 0;
        $length = strlen($t);
        while ($at < $length) {
            if ($t[$at] === '{') {
                $end = strpos($t, '}', $at + 1);
                if ($end === false) {
                    return "has an unclosed '{'";
                }
                $part = ['body' => self::BODY, 'timestamp' => self::TIMESTAMP, 'id' => self::ID][substr($t, $at + 1, $end - $at - 1)] ?? null;
                if ($part === null) {
                    return 'may only use {body}, {timestamp} and {id}';
                }
                $at = $end + 1;
            } else {
                $end = strpos($t, '{', $at);
                $end = $end === false ? $length : $end;
                $part = substr($t, $at, $end - $at);
                $at = $end;
            }
            if (($part === self::TIMESTAMP || $part === self::ID) && in_array($part, $parts, true)) {
                return 'uses a placeholder twice';
            }
            $parts[] = $part;
        }
        if (count(array_keys($parts, self::BODY, true)) !== 1) {
            return 'must contain {body} exactly once';
        }
        return $parts;
    }
}
