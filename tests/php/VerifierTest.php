<?php
use HookGuard\Verifier;
use PHPUnit\Framework\TestCase;

/**
 * HookGuard\Verifier: the same answers as hookguard_verify()/hookguard_check()
 * (random cases: tests/compat/differential.php), the same misuse errors with
 * the class's own argument numbers, and nothing secret in any dump.
 */
final class VerifierTest extends TestCase
{
    private const SECRET = 'TOP-SECRET-d41d8cd98f00b204';

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
    public function testAnswersAsTheFunctionsDo(array $v, array $headers): void
    {
        $verifier = new Verifier($v['scheme'], $v['secret'], $v['options']);
        $this->assertSame('ok', $verifier->check($v['body'], $headers));
        $this->assertTrue($verifier->verify($v['body'], $headers));
        $rotation = new Verifier($v['scheme'], [$v['scheme'] === 'standard-webhooks' ? 'whsec_b3RoZXI=' : 'other', $v['secret']], $v['options']);
        $this->assertTrue($rotation->verify($v['body'], $headers), 'the second secret of a rotation list');

        // Each header missing, emptied or altered in turn, and the body altered: the functions' reason each time.
        $cases = [[$v['body'] . ' ', $headers], [$v['body'], []]];
        foreach (array_keys($headers) as $name) {
            $cases[] = [$v['body'], array_diff_key($headers, [$name => 1])];
            $cases[] = [$v['body'], [$name => ''] + $headers];
            $cases[] = [$v['body'], [$name => 'x' . (is_array($headers[$name]) ? $headers[$name][0] : $headers[$name])] + $headers];
        }
        foreach ($cases as $i => [$body, $h]) {
            $expected = hookguard_check($v['scheme'], $body, $h, $v['secret'], $v['options']);
            $this->assertSame($expected, $verifier->check($body, $h), "case $i");
            $this->assertSame($expected === 'ok', $verifier->verify($body, $h), "case $i");
        }
    }

    public function testOneVerifierServesManyDeliveries(): void
    {
        $verifier = new Verifier('github', self::SECRET);
        for ($i = 0; $i < 50; $i++) {
            $body = str_repeat(chr($i), $i * 37);
            $headers = hookguard_sign('github', $body, self::SECRET);
            $this->assertTrue($verifier->verify($body, $headers));
            $this->assertFalse($verifier->verify($body . 'x', $headers));
        }
    }

    public function testTheClockIsReadOnEveryCallUnlessFixed(): void
    {
        $now = time();
        $verifier = new Verifier('slack', self::SECRET);
        $this->assertSame('ok', $verifier->check('b', hookguard_sign('slack', 'b', self::SECRET, ['timestamp' => $now])));
        $this->assertSame('timestamp_too_old', $verifier->check('b', hookguard_sign('slack', 'b', self::SECRET, ['timestamp' => $now - 400])));
        $this->assertSame('timestamp_in_future', $verifier->check('b', hookguard_sign('slack', 'b', self::SECRET, ['timestamp' => $now + 400])));

        $fixed = new Verifier('slack', self::SECRET, ['now' => 1000, 'tolerance' => 10]);
        $this->assertSame('ok', $fixed->check('b', hookguard_sign('slack', 'b', self::SECRET, ['timestamp' => 990])));
        $this->assertSame('timestamp_too_old', $fixed->check('b', hookguard_sign('slack', 'b', self::SECRET, ['timestamp' => 989])));
    }

    /** Each misuse of the functions, and the same misuse of the constructor: argument #4 ($secrets) is its #2, #5 ($options) its #3. */
    public static function constructorMisuse(): iterable
    {
        $s = self::SECRET;
        yield 'unknown scheme' => ['paypal', $s, []];
        yield 'empty secret' => ['github', '', []];
        yield 'empty secret in list' => ['github', [$s, ''], []];
        yield 'empty list' => ['github', [], []];
        yield 'non-string secret' => ['github', [$s, 5], []];
        yield 'secrets of wrong type' => ['github', null, []];
        yield 'bad whsec' => ['standard-webhooks', "whsec_$s!", []];
        yield 'tolerance type' => ['slack', $s, ['tolerance' => '300']];
        yield 'negative tolerance' => ['slack', $s, ['tolerance' => -1]];
        yield 'unknown option' => ['slack', $s, ['tollerance' => 1]];
        yield 'layout option on a named scheme' => ['shopify', $s, ['header' => 'X']];
        yield 'bad algo' => ['woocommerce', $s, ['algo' => 'md5']];
        yield 'generic without header' => ['hmac', $s, []];
        yield 'bad options before a bad secret' => ['slack', '', ['now' => 1.5]];
    }

    /** @dataProvider constructorMisuse */

    #[\PHPUnit\Framework\Attributes\DataProvider('constructorMisuse')]
    public function testConstructorMisuseThrowsAsTheFunctionsDo(string $scheme, mixed $secrets, array $options): void
    {
        try {
            hookguard_verify($scheme, 'b', [], $secrets, $options);
            $this->fail('the function should throw');
        } catch (ValueError | TypeError $expected) {
        }
        // PHP words a wrong type for php/compat's typed parameters, naming the calling line.
        $withoutLine = fn(string $m) => preg_replace('/, called in .* on line \d+$/', '', $m);
        $message = str_replace(['hookguard_verify()', 'Argument #4 ', 'Argument #5 '],
                               ['HookGuard\Verifier::__construct()', 'Argument #2 ', 'Argument #3 '], $withoutLine($expected->getMessage()));
        $previous = ini_set('zend.exception_ignore_args', '0');
        try {
            new Verifier($scheme, $secrets, $options);
            $this->fail('expected ' . get_class($expected));
        } catch (ValueError | TypeError $e) {
            $this->assertSame([get_class($expected), $message], [get_class($e), $withoutLine($e->getMessage())]);
            $frame = $e->getTrace()[0];
            $this->assertSame(['HookGuard\Verifier', '__construct'], [$frame['class'], $frame['function']]);
            $this->assertStringNotContainsString('TOP-SECRET', print_r($frame['args'], true));
        } finally {
            ini_set('zend.exception_ignore_args', $previous);
        }
    }

    /** A wrong type for a typed parameter: PHP itself words it for php/compat and adds ", called in …" (see the README). */
    public function testMethodMisuseNamesTheMethodsArguments(): void
    {
        $verifier = new Verifier('github', self::SECRET);
        foreach (['verify', 'check'] as $method) {
            try {
                $verifier->$method('b', 'X-Hub-Signature-256: x');
                $this->fail('expected a TypeError');
            } catch (TypeError $e) {
                $this->assertStringStartsWith("HookGuard\\Verifier::$method(): Argument #2 (\$headers) must be of type array, string given", $e->getMessage());
            }
        }
    }

    public function testTheSecretsParameterIsSensitive(): void
    {
        $params = (new ReflectionMethod(Verifier::class, '__construct'))->getParameters();
        $this->assertSame('secrets', $params[1]->getName());
        $this->assertSame(['SensitiveParameter'], array_map(fn($a) => $a->getName(), $params[1]->getAttributes()));
    }

    public function testNoDumpShowsAnything(): void
    {
        $verifier = new Verifier('woocommerce', [self::SECRET, 'second-' . self::SECRET], ['tolerance' => 5]);
        ob_start();
        var_dump($verifier);
        debug_zval_dump($verifier);
        print_r($verifier);
        var_export($verifier);
        $dumps = ob_get_clean() . json_encode($verifier) . print_r((array) $verifier, true) . print_r(get_object_vars($verifier), true);
        $this->assertStringNotContainsString('SECRET', $dumps);
        $this->assertMatchesRegularExpression('/^object\(HookGuard\\\\Verifier\)#\d+ \(0\) \{\n\}\n/', $dumps);
        $this->assertSame([], (array) $verifier);
        $this->assertSame('{}', json_encode($verifier));
    }

    public function testCannotBeClonedOrSerialized(): void
    {
        $verifier = new Verifier('github', self::SECRET);
        $refusals = [
            [fn() => clone $verifier, Error::class, 'Trying to clone an uncloneable object of class HookGuard\Verifier'],
            [fn() => serialize($verifier), Exception::class, "Serialization of 'HookGuard\\Verifier' is not allowed"],
            [fn() => serialize([$verifier]), Exception::class, "Serialization of 'HookGuard\\Verifier' is not allowed"],
            [fn() => unserialize('O:18:"HookGuard\Verifier":0:{}'), Exception::class, "Unserialization of 'HookGuard\\Verifier' is not allowed"],
        ];
        foreach ($refusals as $i => [$call, $class, $message]) {
            try {
                $call();
                $this->fail("refusal $i: expected $class");
            } catch (Throwable $e) {
                $this->assertSame([$class, $message], [get_class($e), $e->getMessage()], "refusal $i");
            }
        }
        $this->assertTrue($verifier->verify('b', hookguard_sign('github', 'b', self::SECRET)), 'still usable');
        $this->assertTrue((new ReflectionClass(Verifier::class))->isFinal());
    }
}
