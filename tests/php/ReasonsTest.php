<?php
use PHPUnit\Framework\TestCase;

/** Network input never throws: each bad delivery gets its reason code. */
final class ReasonsTest extends TestCase
{
    private const NOW = 1700000000;
    private const BODY = '{"id":1}';

    public static function malformedDeliveries(): iterable
    {
        $sha = hash_hmac('sha256', self::BODY, 's');
        $b64 = base64_encode(hash_hmac('sha256', self::BODY, 's', true));
        $ts = (string) self::NOW;
        $stripeOk = hash_hmac('sha256', $ts . '.' . self::BODY, 's');
        $swSecret = 'whsec_' . base64_encode('s');
        return [
            // scheme, headers, expected
            'wc: no header' => ['woocommerce', [], 'missing_signature'],
            'wc: empty header' => ['woocommerce', ['X-WC-Webhook-Signature' => ''], 'missing_signature'],
            'wc: blank header' => ['woocommerce', ['X-WC-Webhook-Signature' => "  \t"], 'missing_signature'],
            'wc: not base64' => ['woocommerce', ['X-WC-Webhook-Signature' => '!!!!'], 'malformed_signature'],
            'wc: hex instead of base64' => ['woocommerce', ['X-WC-Webhook-Signature' => $sha], 'malformed_signature'],
            'wc: truncated' => ['woocommerce', ['X-WC-Webhook-Signature' => substr($b64, 0, 40)], 'malformed_signature'],
            'wc: sha1-length' => ['woocommerce', ['X-WC-Webhook-Signature' => base64_encode(str_repeat('a', 20))], 'malformed_signature'],
            'wc: right form, wrong mac' => ['woocommerce', ['X-WC-Webhook-Signature' => base64_encode(str_repeat('a', 32))], 'signature_mismatch'],
            'wc: right' => ['woocommerce', ['X-WC-Webhook-Signature' => $b64], 'ok'],
            'wc: padded with spaces' => ['woocommerce', ['X-WC-Webhook-Signature' => " $b64 "], 'ok'],
            'github: no prefix' => ['github', ['X-Hub-Signature-256' => $sha], 'malformed_signature'],
            'github: sha1 prefix' => ['github', ['X-Hub-Signature-256' => 'sha1=' . $sha], 'malformed_signature'],
            'github: upper-case hex' => ['github', ['X-Hub-Signature-256' => 'sha256=' . strtoupper($sha)], 'ok'],
            'github: odd hex' => ['github', ['X-Hub-Signature-256' => 'sha256=' . substr($sha, 1)], 'malformed_signature'],
            'github: non-hex' => ['github', ['X-Hub-Signature-256' => 'sha256=' . str_repeat('g', 64)], 'malformed_signature'],
            'github: only the legacy header' => ['github', ['X-Hub-Signature' => 'sha1=' . hash_hmac('sha1', self::BODY, 's')], 'missing_signature'],
            'order-sync: right' => ['woo-order-sync', ['X-Woo-Signature' => 'sha256=' . $sha], 'ok'],
            'pipedrive: sha256 length' => ['pipedrive', ['X-Pipedrive-Signature' => $sha], 'malformed_signature'],
            'relay: no timestamp' => ['wp-relay', ['X-WP-Signature' => $b64], 'missing_timestamp'],
            'relay: timestamp in ms' => ['wp-relay', ['X-WP-Signature' => $b64, 'X-WP-Timestamp' => $ts . '000'], 'timestamp_in_future'],
            'relay: timestamp not a number' => ['wp-relay', ['X-WP-Signature' => $b64, 'X-WP-Timestamp' => 'yesterday'], 'malformed_timestamp'],
            'relay: negative timestamp' => ['wp-relay', ['X-WP-Signature' => $b64, 'X-WP-Timestamp' => '-5'], 'malformed_timestamp'],
            'relay: huge timestamp' => ['wp-relay', ['X-WP-Signature' => $b64, 'X-WP-Timestamp' => str_repeat('9', 40)], 'malformed_timestamp'],
            'relay: stale' => ['wp-relay', ['X-WP-Signature' => $b64, 'X-WP-Timestamp' => (string) (self::NOW - 301)], 'timestamp_too_old'],
            'relay: body-only mac' => ['wp-relay', ['X-WP-Signature' => $b64, 'X-WP-Timestamp' => $ts], 'signature_mismatch'],
            'stripe: no header' => ['stripe', [], 'missing_signature'],
            'stripe: garbage' => ['stripe', ['Stripe-Signature' => 'garbage'], 'malformed_signature'],
            'stripe: only v0' => ['stripe', ['Stripe-Signature' => "t=$ts,v0=$stripeOk"], 'malformed_signature'],
            'stripe: no t' => ['stripe', ['Stripe-Signature' => "v1=$stripeOk"], 'missing_timestamp'],
            'stripe: bad t' => ['stripe', ['Stripe-Signature' => "t=abc,v1=$stripeOk"], 'malformed_timestamp'],
            'stripe: stale t' => ['stripe', ['Stripe-Signature' => 't=' . (self::NOW - 1000) . ",v1=$stripeOk"], 'timestamp_too_old'],
            'stripe: right after a bad v1' => ['stripe', ['Stripe-Signature' => "t=$ts,v1=zz,v1=$stripeOk"], 'ok'],
            'stripe: t changed' => ['stripe', ['Stripe-Signature' => 't=' . (self::NOW + 1) . ",v1=$stripeOk"], 'signature_mismatch'],
            'sw: no id' => ['standard-webhooks', ['webhook-timestamp' => $ts, 'webhook-signature' => 'v1,' . $b64], 'missing_id', $swSecret],
            'sw: no v1' => ['standard-webhooks', ['webhook-id' => 'm', 'webhook-timestamp' => $ts, 'webhook-signature' => 'v1a,' . $b64], 'malformed_signature', $swSecret],
            'sw: no timestamp' => ['standard-webhooks', ['webhook-id' => 'm', 'webhook-signature' => 'v1,' . $b64], 'missing_timestamp', $swSecret],
            'sw: wrong mac' => ['standard-webhooks', ['webhook-id' => 'm', 'webhook-timestamp' => $ts, 'webhook-signature' => 'v1,' . $b64], 'signature_mismatch', $swSecret],
            'slack: no prefix' => ['slack', ['X-Slack-Signature' => $sha, 'X-Slack-Request-Timestamp' => $ts], 'malformed_signature'],
            'slack: future' => ['slack', ['X-Slack-Signature' => 'v0=' . $sha, 'X-Slack-Request-Timestamp' => (string) (self::NOW + 301)], 'timestamp_in_future'],
            'headers as non-strings are ignored' => ['woocommerce', ['X-WC-Webhook-Signature' => 123], 'missing_signature'],
            'list value, first non-empty wins' => ['woocommerce', ['x_wc_webhook_signature' => ['', $b64]], 'ok'],
            'numeric keys ignored' => ['woocommerce', [0 => $b64], 'missing_signature'],
        ];
    }

    /** @dataProvider malformedDeliveries */

    #[\PHPUnit\Framework\Attributes\DataProvider('malformedDeliveries')]
    public function testReasonCode(string $scheme, array $headers, string $expected, string $secret = 's'): void
    {
        $this->assertSame($expected, hookguard_check($scheme, self::BODY, $headers, $secret, ['now' => self::NOW]));
        $this->assertSame($expected === 'ok', hookguard_verify($scheme, self::BODY, $headers, $secret, ['now' => self::NOW]));
    }

    public function testToleranceEdgesAreInclusive(): void
    {
        foreach ([[-300, 'ok'], [-301, 'timestamp_too_old'], [300, 'ok'], [301, 'timestamp_in_future']] as [$skew, $want]) {
            $h = hookguard_sign('wp-relay', self::BODY, 's', ['timestamp' => self::NOW + $skew]);
            $this->assertSame($want, hookguard_check('wp-relay', self::BODY, $h, 's', ['now' => self::NOW]), "skew $skew");
        }
        $h = hookguard_sign('stripe', self::BODY, 's', ['timestamp' => self::NOW - 10]);
        $this->assertSame('timestamp_too_old', hookguard_check('stripe', self::BODY, $h, 's', ['now' => self::NOW, 'tolerance' => 9]));
        $this->assertSame('ok', hookguard_check('stripe', self::BODY, $h, 's', ['now' => self::NOW, 'tolerance' => 10]));
    }

    public function testDefaultClockIsNow(): void
    {
        $h = hookguard_sign('slack', self::BODY, 's');
        $this->assertSame('ok', hookguard_check('slack', self::BODY, $h, 's'));
        $h = hookguard_sign('slack', self::BODY, 's', ['timestamp' => time() - 3600]);
        $this->assertSame('timestamp_too_old', hookguard_check('slack', self::BODY, $h, 's'));
    }

    public function testRotationAcceptsAnyListedSecret(): void
    {
        $h = hookguard_sign('woo-order-sync', self::BODY, 'new');
        $this->assertTrue(hookguard_verify('woo-order-sync', self::BODY, $h, ['old', 'new']));
        $this->assertTrue(hookguard_verify('woo-order-sync', self::BODY, $h, ['new', 'old']));
        $this->assertTrue(hookguard_verify('woo-order-sync', self::BODY, $h, ['a' => 'old', 'b' => 'new']));
        $this->assertFalse(hookguard_verify('woo-order-sync', self::BODY, $h, ['old', 'older']));
    }

    public function testFreshIdsAreUniqueAndVerify(): void
    {
        $a = hookguard_sign('standard-webhooks', self::BODY, 'whsec_' . base64_encode('key'));
        $b = hookguard_sign('standard-webhooks', self::BODY, 'whsec_' . base64_encode('key'));
        $this->assertMatchesRegularExpression('/^msg_[0-9A-Za-z]{16}$/', $a['webhook-id']);
        $this->assertNotSame($a['webhook-id'], $b['webhook-id']);
        $this->assertTrue(hookguard_verify('standard-webhooks', self::BODY, $a, 'whsec_' . base64_encode('key')));
        $r = hookguard_sign('wp-relay', self::BODY, 's');
        $this->assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $r['X-Event-Id']);
    }

    public function testEqualsIsHashEquals(): void
    {
        foreach ([['', ''], ['a', 'a'], ['a', 'b'], ['abc', 'ab'], ["\0x", "\0x"], ["\0x", "\0y"]] as [$a, $b]) {
            $this->assertSame(hash_equals($a, $b), hookguard_equals($a, $b));
        }
    }
}
