<?php
/**
 * HookGuard\Verifier and hookguard_verify() against the plain-PHP way of
 * checking a WooCommerce signature and against the SHA-256 floor, in one
 * process, at four body sizes; then the machine's SHA-256 ceiling from
 * `openssl speed -evp sha256`.
 *
 *   php -d extension=target/release/libhookguard.so bench/verify.php [seconds-per-case]
 *
 * Every case of every size runs in one interleaved run (bench/timing.php),
 * best of 7 rounds.
 *
 * The floor is the bare SHA-256 compression function over the blocks an
 * HMAC-SHA256 of that body needs with its key state cached (the body and its
 * padding, plus one outer block), at the cost of one block measured in the
 * same run: the difference between OpenSSL's SHA-256 (openssl_digest(),
 * SHA-NI where the CPU has it) of 64 KiB and of 4 KiB, over the 960 blocks
 * between them, so the PHP call and OpenSSL's set-up cancel out.
 *
 * Prints a Markdown table (the README's) and the targets with pass/fail.
 */
if (!extension_loaded('hookguard') || !function_exists('openssl_digest')) {
    fwrite(STDERR, "load the extension (and PHP's openssl): php -d extension=target/release/libhookguard.so bench/verify.php\n");
    exit(1);
}
require __DIR__ . '/timing.php';
$budget = (float) ($argv[1] ?? 1.0);
$secret = 'wc_secret_' . bin2hex(random_bytes(16));
$sizes = ['256 B' => 256, '2 KiB' => 2048, '64 KiB' => 65536, '1 MiB' => 1048576];

$mbs = fn(int $bytes, float $ns) => $bytes / $ns * 1e3; // bytes/ns → MB/s
$sha256Blocks = fn(int $bytes) => intdiv($bytes + 9 + 63, 64); // message + 0x80 + 64-bit length, in 64-byte blocks
$hmacBlocks = fn(int $bytes) => $sha256Blocks($bytes) + 1; // inner hash of the body (its key block cached), one outer block

$cases = [];
$blockBodies = [4096 => random_bytes(4096), 65536 => random_bytes(65536)];
foreach ($blockBodies as $size => $bytes) {
    $cases["sha256 $size"] = function (int $n) use ($bytes) {
        for ($i = 0; $i < $n; $i++) { openssl_digest($bytes, 'sha256', true); }
    };
}
foreach ($sizes as $label => $size) {
    $body = random_bytes($size);
    $sig = base64_encode(hash_hmac('sha256', $body, $secret, true));
    $headers = ['X-WC-Webhook-Signature' => $sig];
    $verifier = new HookGuard\Verifier('woocommerce', $secret);
    if (!hookguard_verify('woocommerce', $body, $headers, $secret) || !$verifier->verify($body, $headers)) {
        throw new RuntimeException('bench setup');
    }
    $cases["Verifier $label"] = function (int $n) use ($verifier, $body, $headers) {
        for ($i = 0; $i < $n; $i++) { $verifier->verify($body, $headers); }
    };
    $cases["function $label"] = function (int $n) use ($body, $headers, $secret) {
        for ($i = 0; $i < $n; $i++) { hookguard_verify('woocommerce', $body, $headers, $secret); }
    };
    $cases["plain $label"] = function (int $n) use ($body, $sig, $secret) {
        for ($i = 0; $i < $n; $i++) { hash_equals(base64_encode(hash_hmac('sha256', $body, $secret, true)), $sig); }
    };
}
$ns = bench_ns_per_op($cases, $budget);
$perBlock = ($ns['sha256 65536'] - $ns['sha256 4096']) / ($sha256Blocks(65536) - $sha256Blocks(4096));

$rows = [];
foreach ($sizes as $label => $size) {
    $rows[$label] = ['size' => $size, 'floor' => $perBlock * $hmacBlocks($size), 'verifier' => $ns["Verifier $label"],
                     'function' => $ns["function $label"], 'plain' => $ns["plain $label"]];
}

// The ceiling: OpenSSL's SHA-256 (SHA-NI when the CPU has it) on 16 KiB blocks.
$openssl = shell_exec('openssl speed -evp sha256 -seconds 1 -bytes 16384 2>/dev/null') ?? '';
$ceiling = preg_match('/^sha256\s+([\d.]+)k\s*$/m', $openssl, $m) ? (float) $m[1] * 1000 / 1e6 : null; // 1000s of bytes/s → MB/s
$cpu = trim((string) shell_exec("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"));
$shani = str_contains((string) file_get_contents('/proc/cpuinfo'), ' sha_ni') ? 'yes' : 'no';

printf("PHP %s, hookguard %s, %s, SHA extensions: %s\n\n", PHP_VERSION, phpversion('hookguard'), $cpu, $shani);
echo "| body | SHA-256 floor (blocks) | HookGuard\\Verifier::verify | × floor | hookguard_verify | × floor | plain PHP (hash_hmac + hash_equals) | Verifier MB/s | speed-up over plain |\n";
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
foreach ($rows as $label => $r) {
    printf("| %s | %s (%d) | %s | %.2f× | %s | %.2f× | %s | %.0f | %.1f× |\n", $label, fmt($r['floor']), $hmacBlocks($r['size']),
        fmt($r['verifier']), $r['verifier'] / $r['floor'], fmt($r['function']), $r['function'] / $r['floor'],
        fmt($r['plain']), $mbs($r['size'], $r['verifier']), $r['plain'] / $r['verifier']);
}
printf("\nOne SHA-256 block: %.1f ns (%.0f MB/s)", $perBlock, 64 / $perBlock * 1e3);
if ($ceiling) {
    printf("; openssl speed -evp sha256 (16 KiB blocks): %.0f MB/s", $ceiling);
}
echo "\n";

function fmt(float $ns): string
{
    return $ns < 1e4 ? sprintf('%.0f ns', $ns) : ($ns < 1e7 ? sprintf('%.1f µs', $ns / 1e3) : sprintf('%.2f ms', $ns / 1e6));
}

echo "\nTargets:\n";
foreach (['256 B' => 1.6, '2 KiB' => 1.15] as $label => $within) {
    $ratio = $rows[$label]['verifier'] / $rows[$label]['floor'];
    printf("- Verifier at %s within %.2f× the SHA-256 floor: %.2f× %s\n", $label, $within, $ratio, $ratio <= $within ? 'met' : 'MISSED');
}
$r2k = $rows['2 KiB']['plain'] / $rows['2 KiB']['function'];
printf("- hookguard_verify at 2 KiB at least 7× plain PHP: %.1f× %s\n", $r2k, $r2k >= 7 ? 'met' : 'MISSED');
if ($ceiling) {
    $r1m = $mbs(1048576, $rows['1 MiB']['function']) / $ceiling;
    printf("- hookguard_verify at 1 MiB at least 0.95× the openssl ceiling: %.2f× %s\n", $r1m, $r1m >= 0.95 ? 'met' : 'MISSED');
}
printf("- hookguard_verify at 256 B at most 350 ns: %.0f ns %s\n", $rows['256 B']['function'], $rows['256 B']['function'] <= 350 ? 'met' : 'MISSED');
