<?php
/**
 * The extension against the PHP implementation, in one process, over random
 * deliveries: schemes and layouts, bodies, secrets and rotation lists, header
 * shapes and mutations, options of every type. Compares hookguard_sign()
 * headers, hookguard_check() reason codes, and exception classes and
 * messages, byte for byte; and for every check, HookGuard\Verifier (the
 * extension's, and php/compat's under the name CompatVerifier) against the
 * function: the same reason from check() and verify() of one object, or the
 * function's error from the constructor with its own argument numbers.
 *
 *   php -d extension=target/release/libhookguard.so tests/compat/differential.php [cases]
 *
 * HG_SEED=<n> replays a run (the seed is printed first). Exits 1 on the
 * first difference, printing the case as PHP code.
 *
 * Not compared here (the PHPUnit suite checks each implementation's own):
 * arguments of a wrong type for a typed parameter, which the engine (PHP)
 * or ext-php-rs (extension) refuses before HookGuard runs; see the README.
 */
if (!extension_loaded('hookguard')) {
    fwrite(STDERR, "load the extension: php -d extension=target/release/libhookguard.so tests/compat/differential.php\n");
    exit(2);
}
require __DIR__ . '/../../php/compat/src/load.php';
require __DIR__ . '/../../php/compat/src/VerifierMethods.php';

use HookGuard\Compat\Misuse;
use HookGuard\Compat\Signatures;

/** php/compat's HookGuard\Verifier, beside the extension's class of that name. */
final class CompatVerifier
{
    use HookGuard\Compat\VerifierMethods;
}

// A notice or warning from either side (or the generator) is a failure too.
error_reporting(E_ALL);
set_error_handler(function (int $level, string $message, string $file, int $line): never {
    throw new ErrorException($message, 0, $level, $file, $line);
});

$cases = (int) ($argv[1] ?? 40000);
$seed = getenv('HG_SEED') !== false && getenv('HG_SEED') !== '' ? (int) getenv('HG_SEED') : random_int(0, 0xffffffff);
echo "differential: HG_SEED=$seed, $cases cases\n";
$rng = new Random\Randomizer(new Random\Engine\Mt19937($seed & 0xffffffff));

/** [outcome, class-or-'', value] of one call, for comparison. */
function outcome(callable $call): array
{
    try {
        return ['ok', '', $call()];
    } catch (Misuse $e) {
        return ['throw', $e->class, $e->getMessage()];
    } catch (ValueError | TypeError $e) {
        return ['throw', get_class($e), $e->getMessage()];
    }
}

$gen = new CaseGenerator($rng);
$seen = [];
for ($i = 0; $i < $cases; $i++) {
    $c = $gen->next();
    if ($c['op'] === 'sign') {
        $native = outcome(fn() => hookguard_sign($c['scheme'], $c['body'], $c['secrets'], $c['options']));
        $php = outcome(fn() => Signatures::sign('hookguard_sign', $c['scheme'], $c['body'], $c['secrets'], $c['options']));
    } else {
        $function = $c['op'] === 'verify' ? 'hookguard_verify' : 'hookguard_check';
        $native = outcome(fn() => $function($c['scheme'], $c['body'], $c['headers'], $c['secrets'], $c['options']));
        $php = outcome(function () use ($c, $function) {
            $reason = Signatures::check($function, $c['scheme'], $c['body'], $c['headers'], $c['secrets'], $c['options']);
            return $function === 'hookguard_verify' ? $reason === 'ok' : $reason;
        });
    }
    if ($native !== $php) {
        echo "DIFFERENCE in case #$i (HG_SEED=$seed):\n", var_export($c, true), "\nnative: ", var_export($native, true), "\nphp:    ", var_export($php, true), "\n";
        exit(1);
    }
    if ($c['op'] !== 'sign') {
        $reference = $function === 'hookguard_check' ? $native
            : outcome(fn() => hookguard_check($c['scheme'], $c['body'], $c['headers'], $c['secrets'], $c['options']));
        $expected = verifierOutcome($reference);
        foreach (['HookGuard\Verifier' => 'native Verifier', CompatVerifier::class => 'php Verifier'] as $class => $label) {
            $got = outcome(function () use ($c, $class) {
                $verifier = new $class($c['scheme'], $c['secrets'], $c['options']);
                return [$verifier->check($c['body'], $c['headers']), $verifier->verify($c['body'], $c['headers'])];
            });
            if ($got !== $expected) {
                echo "DIFFERENCE in case #$i (HG_SEED=$seed), $label against $function():\n", var_export($c, true),
                     "\nexpected: ", var_export($expected, true), "\n$label: ", var_export($got, true), "\n";
                exit(1);
            }
        }
        $seen['Verifier'] = ($seen['Verifier'] ?? 0) + 1;
    }
    $key = $native[0] === 'throw' ? $native[1] : ($c['op'] === 'check' ? $native[2] : $c['op']);
    $seen[$key] = ($seen[$key] ?? 0) + 1;
}
ksort($seen);
echo "identical: ", implode(', ', array_map(fn($k, $n) => "$k $n", array_keys($seen), $seen)), "\n";

// The generator must reach every reason code and both error classes, or the run proves little.
$want = ['ok', 'missing_signature', 'malformed_signature', 'missing_timestamp', 'malformed_timestamp', 'missing_id',
         'timestamp_too_old', 'timestamp_in_future', 'signature_mismatch', 'ValueError', 'TypeError', 'sign', 'verify', 'Verifier'];
$missing = array_diff($want, array_keys($seen));
if ($cases >= 5000 && $missing !== []) {
    echo 'FAIL: no case reached ', implode(', ', $missing), "\n";
    exit(1);
}
echo "OK: the extension and php/compat agree on $cases cases\n";

/**
 * What a Verifier built from a check case's arguments must give: check() and
 * verify() of the function's reason, or the function's error thrown by the
 * constructor, whose $secrets and $options are its arguments #2 and #3.
 * $check is hookguard_check()'s outcome for the same arguments.
 */
function verifierOutcome(array $check): array
{
    if ($check[0] === 'throw') {
        $message = str_replace(['hookguard_check()', 'Argument #4 ', 'Argument #5 '], ['HookGuard\Verifier::__construct()', 'Argument #2 ', 'Argument #3 '], $check[2]);
        return ['throw', $check[1], $message];
    }
    return ['ok', '', [$check[2], $check[2] === 'ok']];
}

/** Random calls: mostly well-formed deliveries, then mutated; some misuse. */
final class CaseGenerator
{
    private const UNKNOWN_SCHEMES = ['paypal', '', 'WooCommerce', 'hmac ', "github\0"];
    private const TEMPLATE_PIECES = ['{body}', '{timestamp}', '{id}', '.', ':', 'v0:', '{ts}', '{', '}', '{}', 'x'];
    private const HEADER_NAMES = ['X-Sig', 'x_sig', 'X-Signature-256', 'Sig', 'X-Ts', 'X-Id', 'X Sig', '', 'X-Sig:', 'Ümlaut'];
    private const WP_PIECES = ['&', '#', '0', 'x', 'X', '3', '9', '2', '7', ';', 'amp', 'quot', 'lt', 'gt', '&amp;', '&#039;', '&#x27;', '&lt;', 'a', "\0", "\xff"];

    public function __construct(private Random\Randomizer $rng)
    {
    }

    private function chance(int $percent): bool
    {
        return $this->rng->getInt(1, 100) <= $percent;
    }

    private function pick(array $from): mixed
    {
        return $from[$this->rng->getInt(0, count($from) - 1)];
    }

    private function bytes(int $max): string
    {
        $n = $this->rng->getInt(0, $max);
        return $n === 0 ? '' : $this->rng->getBytes($n);
    }

    public function next(): array
    {
        $scheme = $this->chance(2) ? $this->pick(self::UNKNOWN_SCHEMES) : $this->pick(hookguard_schemes());
        $layout = $scheme === 'hmac' ? $this->hmacLayout() : $this->namedLayout($scheme);
        $secrets = $this->secrets($scheme);
        $body = $this->chance(5) ? $this->bytes(5000) : $this->bytes(300);
        $now = $this->chance(50) ? $this->rng->getInt(1_000_000_000, 2_000_000_000) : $this->rng->getInt(0, 999_999_999_999_999);
        $op = $this->pick(['sign', 'check', 'check', 'check', 'verify']);
        if ($op === 'sign') {
            $options = $layout + ['timestamp' => $now, 'id' => 'evt_' . bin2hex($this->bytes(8)) . 'x'];
            return ['op' => 'sign', 'scheme' => $scheme, 'body' => $body, 'secrets' => is_array($secrets) ? (is_string($first = reset($secrets)) ? $first : '') : $secrets,
                    'options' => $this->misuse($options)];
        }
        $tolerance = $this->chance(30) ? $this->rng->getInt(0, 1000) : null;
        if ($this->chance(3)) { // the integer edges of `now - timestamp`
            $now = $this->pick([PHP_INT_MIN, PHP_INT_MIN + 1, PHP_INT_MAX, -1]);
            $tolerance = $this->pick([PHP_INT_MAX, PHP_INT_MAX - 1, 0, null]);
        }
        $sent = min(999_999_999_999_999, max(0, $now + ($this->chance(20) ? $this->rng->getInt(-1200, 1200) : 0)));
        $headers = $this->delivery($scheme, $layout, $body, $secrets, $sent);
        $options = $layout + ['now' => $now] + ($tolerance === null ? [] : ['tolerance' => $tolerance]);
        if ($this->chance(10)) {
            $options['now'] = $sent + $this->pick([300, 301, -300, -301, 0, 1]);
        }
        return ['op' => $op, 'scheme' => $scheme, 'body' => $body, 'headers' => $headers, 'secrets' => $secrets, 'options' => $this->misuse($options)];
    }

    private function namedLayout(string $scheme): array
    {
        if ($scheme === 'woocommerce' && $this->chance(30)) {
            return ['algo' => $this->pick(['sha1', 'sha256', 'sha512', 'md5', 'SHA256'])];
        }
        if ($this->chance(3)) {
            return [$this->pick(['algo', 'encoding', 'header', 'prefix', 'timestamp_header', 'id_header', 'signed_content']) => 'x'];
        }
        return [];
    }

    private function hmacLayout(): array
    {
        $layout = [];
        if (!$this->chance(3)) {
            $layout['header'] = $this->chance(90) ? $this->pick(['X-Sig', 'X-Hub-Signature', 'Signature', 'x_custom_sig']) : $this->pick(self::HEADER_NAMES);
        }
        foreach (['algo' => ['sha1', 'sha256', 'sha512', 'md5'], 'encoding' => ['hex', 'base64', 'base32'],
                  'prefix' => ['sha256=', 'v1=', 'SHA1=', "\xc3\xa9=", 'x']] as $key => $values) {
            if ($this->chance(50)) {
                $layout[$key] = $this->chance(95) ? $this->pick(array_slice($values, 0, 3)) : $this->pick($values);
            }
        }
        if ($this->chance(50)) {
            $layout['timestamp_header'] = $this->chance(95) ? 'X-Ts' : $this->pick(self::HEADER_NAMES);
        }
        if ($this->chance(30)) {
            $layout['id_header'] = $this->chance(95) ? 'X-Id' : $this->pick(self::HEADER_NAMES);
        }
        if ($this->chance(40)) {
            $template = '';
            if ($this->chance(70)) {
                $parts = array_values(array_filter(['{body}', isset($layout['timestamp_header']) ? '{timestamp}' : null,
                                                    isset($layout['id_header']) && $this->chance(70) ? '{id}' : null]));
                $parts = $this->rng->shuffleArray($parts);
                $template = implode($this->pick(['.', ':', '', '|']), $parts);
            } else {
                for ($n = $this->rng->getInt(0, 5); $n > 0; $n--) {
                    $template .= $this->pick(self::TEMPLATE_PIECES);
                }
            }
            $layout['signed_content'] = $template;
        }
        return $this->rng->shuffleArray(array_keys($layout)) === [] ? [] : $this->shuffleKeys($layout);
    }

    private function shuffleKeys(array $a): array
    {
        $out = [];
        foreach ($this->rng->shuffleArray(array_keys($a)) as $k) {
            $out[$k] = $a[$k];
        }
        return $out;
    }

    private function secret(string $scheme): string
    {
        if ($scheme === 'standard-webhooks') {
            return $this->chance(95) ? 'whsec_' . base64_encode($this->rng->getBytes($this->rng->getInt(1, 40)))
                : $this->pick(['whsec_', 'whsec_!!', 'c2VjcmV0', 'whsec_c2VjcmV0==', 'whsec_c2VjcmV0X', '']);
        }
        if ($scheme === 'woocommerce' && $this->chance(40)) {
            $s = '';
            for ($n = $this->rng->getInt(1, 10); $n > 0; $n--) {
                $s .= $this->pick(self::WP_PIECES);
            }
            return $s;
        }
        return $this->chance(1) ? '' : $this->rng->getBytes($this->rng->getInt(1, 80));
    }

    private function secrets(string $scheme): string|array
    {
        if ($this->chance(70)) {
            return $this->secret($scheme);
        }
        $list = [];
        for ($n = $this->rng->getInt($this->chance(2) ? 0 : 1, 4); $n > 0; $n--) {
            $list[] = $this->secret($scheme);
        }
        if ($this->chance(2)) {
            $list[] = $this->pick([5, null, 1.5, ['x'], true]);
        }
        return $this->chance(10) ? array_combine(array_map(fn($i) => "k$i", array_keys($list)), $list) : $list;
    }

    /** The sender's headers (signed with the extension, under one of the secrets or another), mutated, in one of PHP's shapes. */
    private function delivery(string $scheme, array $layout, string $body, string|array $secrets, int $sent): array
    {
        $signWith = is_array($secrets) && $secrets !== [] && $this->chance(80) ? $this->pick(array_values($secrets)) : $secrets;
        if (!is_string($signWith) || $signWith === '' || $this->chance(10)) {
            $signWith = $this->secret($scheme) ?: 'other';
        }
        try {
            $headers = hookguard_sign($scheme, $body, $signWith, $layout + ['timestamp' => $sent, 'id' => 'msg_' . bin2hex($this->bytes(6)) . 'z']);
        } catch (ValueError | TypeError) {
            $headers = ['X-Sig' => $this->bytes(60), 'X-WC-Webhook-Signature' => base64_encode($this->bytes(40))];
        }
        if ($this->chance(60)) {
            $headers = $this->mutate($headers);
        }
        return $this->shape($headers);
    }

    private function mutate(array $headers): array
    {
        if ($headers === []) {
            return $headers;
        }
        $name = (string) $this->pick(array_keys($headers));
        $value = is_string($headers[$name]) ? $headers[$name] : '';
        switch ($this->rng->getInt(0, 18)) {
            case 0: unset($headers[$name]); break;
            case 1: $headers[$name] = $this->pick(['', ' ', "\t", ' x ']); break;
            case 2: $headers[$name] = $value === '' ? 'A' : substr_replace($value, chr(ord($value[-1]) ^ 1), -1); break;
            case 3: $headers[$name] = strtoupper($value); break;
            case 4: $headers[$name] = rtrim($value, '='); break;
            case 5: $headers[$name] = $value . $this->pick(['=', '==', 'A', ' ', "\t", ',', ',v1=' . str_repeat('0', 64), ' v1,AAAA']); break;
            case 6: $headers[$name] = $this->pick([' ', "\t", '']) . $value . $this->pick([' ', "\t", '']); break;
            case 7: $headers[$name] = substr($value, 0, $this->rng->getInt(0, max(0, strlen($value) - 1))); break;
            case 8: $headers[$name] = $this->bytes(90); break;
            case 9: $headers[$name] = preg_replace('/\d+/', $this->pick(['-5', '1e9', '', '0001700000000', str_repeat('9', 16), 'x']), $value, 1); break;
            case 10: $headers[$name] = str_replace(['t=', 'v1=', 'v1,'], [$this->pick(['t=', 'T=', 't=,t=']), $this->pick(['v1=', 'v0=', 'v2=']), $this->pick(['v1,', 'v1 ', 'v2,'])], $value); break;
            case 11: $headers[$name] = implode($this->pick([',', ' ']), array_fill(0, $this->rng->getInt(2, 10), $value)); break;
            case 12: $headers[$name] = [$this->pick(['', ' ']), $value]; break;
            case 13: $headers[$name] = $this->pick([123, null, 1.5, true, [[$value]], ['', 5, $value]]); break;
            case 14: $headers[$this->pick(['X-Other', 'HTTP_HOST', 'X-Sig-Extra', substr($name, 1)])] = $value; break;
            case 15: $headers[strrev($name)] = $value; unset($headers[$name]); break;
            case 16: // more candidates than are tried (8), the right one last
                $n = $this->rng->getInt(5, 10);
                $headers[$name] = str_replace(['v1=', 'v1,'], [str_repeat('v1=' . str_repeat('0', 64) . ',', $n) . 'v1=',
                    str_repeat('v1,' . base64_encode(str_repeat("\0", 32)) . ' ', $n) . 'v1,'], $value);
                break;
            case 17: $headers[$name] = $this->pick(["\n", "\r", "\0", "\x0b", ' ', "\t"]) . $value . $this->pick(["\n", "\r", "\0", "\x0b", ' ', "\t", '']); break;
            case 18: $headers[$name] = str_replace(',', $this->pick([', ', ' ,', ',,', ",\t"]), $value); break;
        }
        return $this->chance(20) ? $this->mutate($headers) : $headers;
    }

    private function shape(array $headers): array
    {
        $shape = $this->rng->getInt(0, 3);
        $out = [];
        if ($shape === 0) {
            $out = ['REQUEST_METHOD' => 'POST', 'CONTENT_TYPE' => 'application/json', 'REMOTE_ADDR' => '127.0.0.1', 0 => 'x'];
        }
        foreach ($headers as $name => $value) {
            $name = (string) $name;
            $key = match ($shape) {
                0 => 'HTTP_' . strtoupper(str_replace('-', '_', $name)),
                1 => $name,
                2 => strtolower(str_replace('-', '_', $name)),
                3 => $this->chance(50) ? strtolower($name) : strtoupper($name),
            };
            $out[$key] = $shape === 2 && !is_array($value) ? [$value] : $value;
        }
        return $this->shuffleKeys($out);
    }

    /** Now and then an option of a wrong type or value, or an unknown one. */
    private function misuse(array $options): array
    {
        if (!$this->chance(4)) {
            return $options;
        }
        $key = $this->pick(['tolerance', 'now', 'timestamp', 'id', 'algo', 'header', 'prefix', 'signed_content', 'tollerance', 'Now', '',
                            "k\"e'y\\\n\t\0\x7f", "\xff", 'ключ', "\u{200b}x", "\u{301}a"]);
        $value = $this->pick([-1, 0, 5, 1.5, '300', null, true, [], '', "\xff\xfe", 'sha256', new stdClass()]);
        $options = $this->chance(50) ? [$key => $value] + $options : $options + [$key => $value];
        return $this->chance(10) ? $options + [7 => 'x'] : $options;
    }
}
