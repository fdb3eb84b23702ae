<?php
/**
 * hookguard_verify() against the plain-PHP way of checking a WooCommerce
 * signature, in one process, at four body sizes; then the machine's SHA-256
 * ceiling from `openssl speed -evp sha256`.
 *
 *   php -d extension=target/release/libhookguard.so bench/verify.php [seconds-per-case]
 *
 * Each size's two cases run interleaved (bench/timing.php), best of 7 rounds.
 *
 * Prints a Markdown table (the README's) and the targets with pass/fail.
 */
if (!extension_loaded('hookguard')) {
    fwrite(STDERR, "load the extension: php -d extension=target/release/libhookguard.so bench/verify.php\n");
    exit(1);
}
require __DIR__ . '/timing.php';
$budget = (float) ($argv[1] ?? 1.0);
$secret = 'wc_secret_' . bin2hex(random_bytes(16));
$sizes = ['256 B' => 256, '2 KiB' => 2048, '64 KiB' => 65536, '1 MiB' => 1048576];

$mbs = fn(int $bytes, float $ns) => $bytes / $ns * 1e3; // bytes/ns → MB/s

$rows = [];
foreach ($sizes as $label => $size) {
    $body = random_bytes($size);
    $sig = base64_encode(hash_hmac('sha256', $body, $secret, true));
    $headers = ['X-WC-Webhook-Signature' => $sig];
    if (!hookguard_verify('woocommerce', $body, $headers, $secret)) { throw new RuntimeException('bench setup'); }
    $ns = bench_ns_per_op([
        'native' => function (int $n) use ($body, $headers, $secret) {
            for ($i = 0; $i < $n; $i++) { hookguard_verify('woocommerce', $body, $headers, $secret); }
        },
        'plain' => function (int $n) use ($body, $sig, $secret) {
            for ($i = 0; $i < $n; $i++) { hash_equals(base64_encode(hash_hmac('sha256', $body, $secret, true)), $sig); }
        },
    ], $budget);
    $rows[$label] = [$size, $ns['native'], $ns['plain']];
}

// The ceiling: OpenSSL's SHA-256 (SHA-NI when the CPU has it) on 16 KiB blocks.
$openssl = shell_exec('openssl speed -evp sha256 -seconds 1 -bytes 16384 2>/dev/null') ?? '';
$ceiling = preg_match('/^sha256\s+([\d.]+)k\s*$/m', $openssl, $m) ? (float) $m[1] * 1000 / 1e6 : null; // 1000s of bytes/s → MB/s
$cpu = trim((string) shell_exec("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"));
$shani = str_contains((string) file_get_contents('/proc/cpuinfo'), ' sha_ni') ? 'yes' : 'no';

printf("PHP %s, hookguard %s, %s, SHA extensions: %s\n\n", PHP_VERSION, phpversion('hookguard'), $cpu, $shani);
echo "| body | hookguard_verify | MB/s | plain PHP (hash_hmac + hash_equals) | MB/s | speed-up |\n";
echo "|---|---:|---:|---:|---:|---:|\n";
foreach ($rows as $label => [$size, $native, $plain]) {
    printf("| %s | %s | %.0f | %s | %.0f | %.1f× |\n", $label, fmt($native), $mbs($size, $native), fmt($plain), $mbs($size, $plain), $plain / $native);
}
if ($ceiling) {
    printf("\nopenssl speed -evp sha256 (16 KiB blocks): %.0f MB/s\n", $ceiling);
}

function fmt(float $ns): string
{
    return $ns < 1e4 ? sprintf('%.0f ns', $ns) : ($ns < 1e7 ? sprintf('%.1f µs', $ns / 1e3) : sprintf('%.2f ms', $ns / 1e6));
}

echo "\nTargets:\n";
$r2k = $rows['2 KiB'][2] / $rows['2 KiB'][1];
printf("- 2 KiB at least 7× plain PHP: %.1f× %s\n", $r2k, $r2k >= 7 ? 'met' : 'MISSED');
if ($ceiling) {
    $r1m = $mbs(1048576, $rows['1 MiB'][1]) / $ceiling;
    printf("- 1 MiB at least 0.95× the openssl ceiling: %.2f× %s\n", $r1m, $r1m >= 0.95 ? 'met' : 'MISSED');
}
printf("- 256 B verify at most 350 ns: %.0f ns %s\n", $rows['256 B'][1], $rows['256 B'][1] <= 350 ? 'met' : 'MISSED');
