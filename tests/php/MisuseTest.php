<?php
use PHPUnit\Framework\TestCase;

/** Programming errors throw ValueError/TypeError naming the argument; no secret leaks. */
final class MisuseTest extends TestCase
{
    private const SECRET = 'TOP-SECRET-d41d8cd98f00b204';

    public static function misuse(): iterable
    {
        $s = self::SECRET;
        yield 'unknown scheme' => [fn() => hookguard_verify('paypal', 'b', [], $s), ValueError::class, 'Argument #1 ($scheme) must be a supported scheme'];
        yield 'unknown scheme (sign)' => [fn() => hookguard_sign('paypal', 'b', $s), ValueError::class, 'hookguard_sign(): Argument #1 ($scheme)'];
        yield 'empty secret' => [fn() => hookguard_verify('github', 'b', [], ''), ValueError::class, 'Argument #4 ($secrets) must not be empty'];
        yield 'empty secret in list' => [fn() => hookguard_verify('github', 'b', [], [$s, '']), ValueError::class, 'Argument #4 ($secrets) must not be empty'];
        yield 'empty list' => [fn() => hookguard_check('github', 'b', [], []), ValueError::class, 'hookguard_check(): Argument #4 ($secrets) must not be empty'];
        yield 'non-string secret' => [fn() => hookguard_verify('github', 'b', [], [$s, 5]), TypeError::class, 'Argument #4 ($secrets) must contain only strings, int found'];
        // null: a TypeError in both modes (an int would be coerced to a string outside strict mode).
        yield 'secrets of wrong type' => [fn() => hookguard_verify('github', 'b', [], null), TypeError::class, 'hookguard_verify(): Argument #4 ($secrets) must be of type array|string, null given'];
        yield 'int secrets in strict mode' => [fn() => eval('declare(strict_types=1); hookguard_check("github", "b", [], 5);'), TypeError::class, 'hookguard_check(): Argument #4 ($secrets) must be of type array|string, int given'];
        yield 'empty sign secret' => [fn() => hookguard_sign('github', 'b', ''), ValueError::class, 'Argument #3 ($secret) must not be empty'];
        yield 'bad whsec' => [fn() => hookguard_sign('standard-webhooks', 'b', "whsec_$s!"), ValueError::class, 'Argument #3 ($secret) must be a Standard Webhooks secret'];
        yield 'bad whsec (verify)' => [fn() => hookguard_verify('standard-webhooks', 'b', [], "whsec_$s!"), ValueError::class, 'Argument #4 ($secrets) must be a Standard Webhooks secret'];
        yield 'tolerance type' => [fn() => hookguard_verify('slack', 'b', [], $s, ['tolerance' => '300']), TypeError::class, 'option "tolerance" must be of type int, string given'];
        yield 'negative tolerance' => [fn() => hookguard_verify('slack', 'b', [], $s, ['tolerance' => -1]), ValueError::class, 'option "tolerance" must be greater than or equal to 0'];
        yield 'now type' => [fn() => hookguard_verify('slack', 'b', [], $s, ['now' => 1.5]), TypeError::class, 'option "now" must be of type int, float given'];
        yield 'unknown option' => [fn() => hookguard_verify('slack', 'b', [], $s, ['tollerance' => 1]), ValueError::class, 'unknown option "tollerance"'];
        yield 'layout option on a named scheme' => [fn() => hookguard_verify('shopify', 'b', [], $s, ['header' => 'X']), ValueError::class, 'option "header" is not used by scheme "shopify"'];
        yield 'bad algo' => [fn() => hookguard_verify('woocommerce', 'b', [], $s, ['algo' => 'md5']), ValueError::class, 'option "algo" must be one of'];
        yield 'generic without header' => [fn() => hookguard_sign('hmac', 'b', $s), ValueError::class, 'option "header" is required by scheme "hmac"'];
        yield 'generic bad template' => [fn() => hookguard_sign('hmac', 'b', $s, ['header' => 'X', 'signed_content' => '{ts}{body}']), ValueError::class, 'option "signed_content"'];
        yield 'generic bad encoding' => [fn() => hookguard_sign('hmac', 'b', $s, ['header' => 'X', 'encoding' => 'base32']), ValueError::class, 'option "encoding" must be "hex" or "base64"'];
        yield 'negative timestamp' => [fn() => hookguard_sign('slack', 'b', $s, ['timestamp' => -1]), ValueError::class, 'option "timestamp" must be greater than or equal to 0'];
        yield 'options not an array' => [fn() => hookguard_verify('github', 'b', [], $s, 'strict'), TypeError::class, 'Argument #5 ($options) must be of type array, string given'];
        yield 'headers not an array' => [fn() => hookguard_verify('github', 'b', 'X-Hub-Signature-256: x', $s), TypeError::class, 'Argument #3 ($headers) must be of type array'];
    }

    /** @dataProvider misuse */

    #[\PHPUnit\Framework\Attributes\DataProvider('misuse')]
    public function testMisuseThrows(callable $call, string $class, string $message): void
    {
        $previous = ini_set('zend.exception_ignore_args', '0');
        try {
            $call();
            $this->fail("expected $class");
        } catch (Throwable $e) {
            $this->assertInstanceOf($class, $e);
            $this->assertStringContainsString($message, $e->getMessage());
            // Neither the message nor the stack trace (with arguments) shows the secret.
            $this->assertStringNotContainsString('TOP-SECRET', (string) $e);
            $frame = $e->getTrace()[0];
            $this->assertStringStartsWith('hookguard_', $frame['function']);
            $this->assertStringNotContainsString('TOP-SECRET', print_r($frame['args'], true));
        } finally {
            ini_set('zend.exception_ignore_args', $previous);
        }
    }

    public function testSecretParametersAreSensitive(): void
    {
        foreach (['hookguard_sign' => [2], 'hookguard_verify' => [3], 'hookguard_check' => [3], 'hookguard_equals' => [0, 1]] as $fn => $positions) {
            $params = (new ReflectionFunction($fn))->getParameters();
            foreach ($positions as $p) {
                $names = array_map(fn($a) => $a->getName(), $params[$p]->getAttributes());
                $this->assertContains('SensitiveParameter', $names, "$fn #$p");
            }
        }
    }

    public function testTheImplementationIsReported(): void
    {
        $this->assertSame(getenv('HG_IMPLEMENTATION') ?: 'native', HOOKGUARD_IMPLEMENTATION);
        $this->assertSame(hookguard_test_native(), extension_loaded('hookguard'));
        $this->assertSame(['woocommerce', 'shopify', 'github', 'woo-order-sync', 'pipedrive', 'wp-relay', 'stripe',
                           'standard-webhooks', 'slack', 'hmac'], hookguard_schemes(), 'the same list, in the same order');
    }

    public function testInfoShowsVersionSchemesAndApiButNoSecrets(): void
    {
        if (!hookguard_test_native()) {
            $this->markTestSkipped('php --ri describes the extension only; the PHP implementation reports itself through HOOKGUARD_IMPLEMENTATION');
        }
        hookguard_sign('github', 'b', self::SECRET); // the key cache now holds it
        ob_start();
        (new ReflectionExtension('hookguard'))->info();
        $info = ob_get_clean();
        $this->assertStringContainsString('version => ' . phpversion('hookguard'), $info);
        $this->assertStringContainsString('implementation => native', $info);
        $this->assertStringContainsString('schemes => ' . implode(', ', hookguard_schemes()), $info);
        $this->assertStringContainsString('built for PHP API => ' . PHP_API_VERSION_FOR_TEST, $info);
        $this->assertStringNotContainsString('TOP-SECRET', $info);
    }

    public function testReturnedValuesHoldNoSecret(): void
    {
        $headers = hookguard_sign('wp-relay', 'b', self::SECRET);
        $this->assertStringNotContainsString('TOP-SECRET', var_export($headers, true));
    }
}
