<?php
/**
 * Does verification leak timing? A dudect-style test (Reparaz, Balasch and
 * Verbauwhede, "Dude, is my code constant time?", DATE 2017) of
 * hookguard_equals() and hookguard_verify() inside PHP:
 *
 * - each test has two classes of input that must take the same time;
 * - every call is timed alone (hrtime), the classes interleaved at random
 *   (a shuffled list with exactly N of each), so machine drift hits both;
 * - Welch's t-test on the raw times and on times cropped at dudect's 100
 *   percentile thresholds (dropping slow outliers: interrupts, other jobs);
 * - |t| >= 4.5 on any of them means a leak was detected.
 *
 * A positive control shows the method sees a leak of a few nanoseconds:
 * `===` (memcmp, which stops early) on 64-character hex signatures, the
 * classic `$sig === hash_hmac(...)` mistake.
 *
 *   php -d extension=target/release/libhookguard.so bench/timing-leak.php [samples per class, default 1000000]
 *
 * Exits 1 if a HookGuard test detects a leak or the control detects none.
 */
if (!extension_loaded('hookguard')) {
    fwrite(STDERR, "load the extension: php -d extension=target/release/libhookguard.so bench/timing-leak.php\n");
    exit(1);
}
const T_LEAK = 4.5;
$n = (int) ($argv[1] ?? 1000000);

/**
 * The order the classes are measured in: $n of each, shuffled.
 *
 * @return list<int>
 */
function classes(int $n): array
{
    $classes = array_merge(array_fill(0, $n, 0), array_fill(0, $n, 1));
    shuffle($classes);
    return $classes;
}

/**
 * Each sample's input: a fresh copy of its class's string. As in dudect,
 * every sample has its own input, so addresses and caching do not differ by
 * class, only the bytes. (With one buffer per class, bench/timing_leak.rs saw
 * the core's constant-time compare "leak", |t| = 9.5 at 5 million samples:
 * the two buffers' addresses, not their bytes.)
 *
 * @param list<int> $classes
 * @param array{string, string} $inputs
 * @return list<string>
 */
function samples(array $classes, array $inputs): array
{
    $zeros = str_repeat("\0", strlen($inputs[0]));
    return array_map(fn(int $c) => $inputs[$c] ^ $zeros, $classes); // ^ always makes a new string
}

/** One class's times, sorted, with prefix sums: mean and variance below any threshold in O(log n). */
final class Times
{
    /** @var list<int> */ public array $sorted;
    /** @var list<float> */ private array $sum = [0.0];
    /** @var list<float> */ private array $sumSq = [0.0];

    /** @param list<int> $times */
    public function __construct(array $times)
    {
        sort($times);
        $this->sorted = $times;
        $s = $q = 0.0;
        foreach ($times as $t) {
            $s += $t;
            $q += $t * $t;
            $this->sum[] = $s;
            $this->sumSq[] = $q;
        }
    }

    /** @return array{int, float, float} count, mean and variance of the times below $limit */
    public function below(float $limit): array
    {
        [$lo, $hi] = [0, count($this->sorted)];
        while ($lo < $hi) {
            $mid = ($lo + $hi) >> 1;
            $this->sorted[$mid] < $limit ? $lo = $mid + 1 : $hi = $mid;
        }
        if ($lo < 2) {
            return [$lo, 0.0, 0.0];
        }
        $mean = $this->sum[$lo] / $lo;
        return [$lo, $mean, max(0.0, ($this->sumSq[$lo] - $lo * $mean * $mean) / ($lo - 1))];
    }

    public function median(): int
    {
        return $this->sorted[intdiv(count($this->sorted), 2)];
    }
}

/** Welch's t of the two classes' times below $limit. */
function welch(Times $a, Times $b, float $limit): float
{
    [$na, $ma, $va] = $a->below($limit);
    [$nb, $mb, $vb] = $b->below($limit);
    if ($na < 2 || $nb < 2 || $va + $vb == 0.0) {
        return 0.0;
    }
    return ($ma - $mb) / sqrt($va / $na + $vb / $nb);
}

/**
 * The dudect statistics of one test.
 *
 * @param list<int> $classes
 * @param list<int> $times
 * @return array{median0: int, median1: int, t_raw: float, t_max: float, kept: float}
 */
function analyse(array $classes, array $times): array
{
    $byClass = [[], []];
    foreach ($times as $i => $t) {
        $byClass[$classes[$i]][] = $t;
    }
    [$a, $b] = [new Times($byClass[0]), new Times($byClass[1])];
    $all = $times;
    sort($all);
    $result = ['median0' => $a->median(), 'median1' => $b->median(), 't_raw' => welch($a, $b, INF), 't_max' => 0.0, 'kept' => 1.0];
    $result['t_max'] = $result['t_raw'];
    // dudect's crops: keep the times below the p-th percentile, p = 1 - 0.5^(10(i+1)/100).
    for ($i = 0; $i < 100; $i++) {
        $p = 1 - 0.5 ** (10 * ($i + 1) / 100);
        $t = welch($a, $b, $all[(int) ($p * (count($all) - 1))]);
        if (abs($t) > abs($result['t_max'])) {
            [$result['t_max'], $result['kept']] = [$t, $p];
        }
    }
    return $result;
}

/** A 32-byte MAC with byte $i changed. */
function flip(string $mac, int $i): string
{
    $mac[$i] = chr(ord($mac[$i]) ^ 0x01);
    return $mac;
}

$secret = 'wc_' . bin2hex(random_bytes(16));
$body = json_encode(['id' => 10421, 'status' => 'processing', 'total' => '49.90', 'note' => str_repeat('x', 900)]);
$mac = hash_hmac('sha256', $body, $secret, true);
$b64 = fn(string $m) => base64_encode($m);
$rotation = ['wc_old_1_' . bin2hex(random_bytes(8)), 'wc_old_2_' . bin2hex(random_bytes(8)), 'wc_old_3_' . bin2hex(random_bytes(8)), $secret];
$signedBy = fn(string $s) => base64_encode(hash_hmac('sha256', $body, $s, true));
$hex = hash_hmac('sha256', $body, $secret);
$otherHex = fn(int $i) => substr_replace($hex, $hex[$i] === 'a' ? 'b' : 'a', $i, 1);
const SIG = 'X-WC-Webhook-Signature';

// name (class 0 vs class 1) => [[input 0, input 1], the timed loop over the
// samples' inputs (its own, so no closure call per sample adds noise),
// whether a leak is expected]
$tests = [
    'hookguard_equals(): 32-byte MAC, first byte differs vs last byte differs' => [
        [flip($mac, 0), flip($mac, 31)],
        function (array $data) use ($mac): array {
            $times = [];
            foreach ($data as $u) {
                $t = hrtime(true);
                hookguard_equals($mac, $u);
                $times[] = hrtime(true) - $t;
            }
            return $times;
        },
        false,
    ],
    'hookguard_verify() woocommerce, 1 KiB body: MAC\'s first byte wrong vs last byte wrong' => [
        [$b64(flip($mac, 0)), $b64(flip($mac, 31))],
        function (array $data) use ($body, $secret): array {
            $times = [];
            foreach ($data as $u) {
                $h = [SIG => $u];
                $t = hrtime(true);
                hookguard_verify('woocommerce', $body, $h, $secret);
                $times[] = hrtime(true) - $t;
            }
            return $times;
        },
        false,
    ],
    'hookguard_verify() rotation of 4 secrets: signed by the first vs by the last' => [
        [$signedBy($rotation[0]), $signedBy($rotation[3])],
        function (array $data) use ($body, $rotation): array {
            $times = [];
            foreach ($data as $u) {
                $h = [SIG => $u];
                $t = hrtime(true);
                hookguard_verify('woocommerce', $body, $h, $rotation);
                $times[] = hrtime(true) - $t;
            }
            return $times;
        },
        false,
    ],
    'control: PHP `===` on 64-char hex signatures, first char differs vs last char differs' => [
        [$otherHex(0), $otherHex(63)],
        function (array $data) use ($hex): array {
            $times = [];
            foreach ($data as $u) {
                $t = hrtime(true);
                $hex === $u;
                $times[] = hrtime(true) - $t;
            }
            return $times;
        },
        true,
    ],
];

// The inputs are what they claim to be.
if (hookguard_verify('woocommerce', $body, [SIG => $b64(flip($mac, 0))], $secret) || hookguard_verify('woocommerce', $body, [SIG => $b64(flip($mac, 31))], $secret)
    || !hookguard_verify('woocommerce', $body, [SIG => $signedBy($rotation[0])], $rotation) || !hookguard_verify('woocommerce', $body, [SIG => $signedBy($rotation[3])], $rotation)) {
    throw new LogicException('timing-leak inputs are not what the tests say');
}

$cpu = trim((string) shell_exec("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"));
printf("PHP %s, hookguard %s, %s; %s samples per class, classes interleaved at random\n\n", PHP_VERSION, phpversion('hookguard'), $cpu, number_format($n));
echo "| test | median ns (class 0 / 1) | t, raw | max \|t\|, cropped (kept) | verdict |\n";
echo "|---|---:|---:|---:|---|\n";
$failed = false;
foreach ($tests as $name => [$inputs, $measure, $leaky]) {
    $measure(samples(classes(10000), $inputs)); // warm up: key cache, branch predictors, CPU frequency
    $classes = classes($n);
    $r = analyse($classes, $measure(samples($classes, $inputs)));
    $leak = abs($r['t_raw']) >= T_LEAK || abs($r['t_max']) >= T_LEAK;
    $verdict = $leak ? 'leak detected' : 'no leak detected';
    if ($leak !== $leaky) {
        $failed = true;
        $verdict .= $leaky ? ' (the control should leak: the method is blind)' : ' (FAIL)';
    }
    printf("| %s | %d / %d | %.2f | %.2f (%.1f%%) | %s |\n", $name, $r['median0'], $r['median1'], $r['t_raw'], abs($r['t_max']), 100 * $r['kept'], $verdict);
    flush();
}
printf("\nVerdict: a leak is detected when |t| >= %.1f on the raw times or any crop (dudect's threshold).\n", T_LEAK);
exit($failed ? 1 : 0);
