<?php
use PHPUnit\Framework\TestCase;

/** Every scheme accepts its provider's delivery in every header shape. */
final class VectorsTest extends TestCase
{
    public static function vectorsInEveryShape(): iterable
    {
        foreach (hookguard_test_vectors() as $name => $v) {
            foreach (hookguard_header_shapes($v['headers']) as $shape => $headers) {
                yield "$name via $shape" => [$v, $headers];
            }
        }
    }

    /** @dataProvider vectorsInEveryShape */

    #[\PHPUnit\Framework\Attributes\DataProvider('vectorsInEveryShape')]
    public function testVectorVerifies(array $v, array $headers): void
    {
        $this->assertSame('ok', hookguard_check($v['scheme'], $v['body'], $headers, $v['secret'], $v['options']));
        $this->assertTrue(hookguard_verify($v['scheme'], $v['body'], $headers, $v['secret'], $v['options']));
    }

    /** @dataProvider vectorsInEveryShape */

    #[\PHPUnit\Framework\Attributes\DataProvider('vectorsInEveryShape')]
    public function testAlteredBodyIsRejected(array $v, array $headers): void
    {
        $body = $v['body'] . ' ';
        $this->assertSame('signature_mismatch', hookguard_check($v['scheme'], $body, $headers, $v['secret'], $v['options']));
        $this->assertFalse(hookguard_verify($v['scheme'], $body, $headers, $v['secret'], $v['options']));
    }

    public function testEverySchemeHasAVector(): void
    {
        $covered = array_unique(array_column(hookguard_test_vectors(), 'scheme'));
        sort($covered);
        $schemes = hookguard_schemes();
        sort($schemes);
        $this->assertSame($schemes, $covered);
    }

    public function testSigningReproducesTheVectorHeaders(): void
    {
        foreach (hookguard_test_vectors() as $name => $v) {
            $opts = array_diff_key($v['options'], ['now' => 1]);
            $h = array_change_key_case($v['headers'], CASE_LOWER);
            $ts = $h['x-wp-timestamp'] ?? $h['webhook-timestamp'] ?? $h['x-slack-request-timestamp'] ?? $h['x-custom-ts'] ?? null;
            if (isset($h['stripe-signature'])) {
                preg_match('/t=(\d+)/', $h['stripe-signature'], $m);
                $ts = $m[1];
            }
            if ($ts !== null) {
                $opts['timestamp'] = (int) $ts;
            }
            if (isset($h['webhook-id']) || isset($h['x-event-id'])) {
                $opts['id'] = $h['webhook-id'] ?? $h['x-event-id'];
            }
            foreach (hookguard_sign($v['scheme'], $v['body'], $v['secret'], $opts) as $header => $value) {
                $expected = $h[strtolower($header)];
                if ($v['scheme'] === 'stripe') {
                    $this->assertStringContainsString(explode(',', $value)[1], $expected, $name);
                } else {
                    $this->assertSame($expected, $value, "$name: $header");
                }
            }
        }
    }
}
