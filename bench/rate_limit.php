<?php
/**
 * The cost of one rate-limit check in one process: hookguard_rate_limit()
 * against an APCu fixed-window limiter and a MariaDB table limiter (see
 * bench/rate_limit/limiters.php). bench/rate_limit.sh runs it with a
 * throwaway MariaDB, then measures the same limiters under php-fpm.
 *
 *   php -d extension=target/release/libhookguard.so -d apc.enable_cli=1 bench/rate_limit.php [seconds-per-case]
 *
 * The MariaDB row needs HG_DB_SOCKET, HG_DB_NAME, HG_DB_USER, HG_DB_PASSWORD
 * (tests/support/mariadb.sh exports them); without them it is skipped.
 * Prints a Markdown table and the targets with met/MISSED.
 */
require __DIR__ . '/rate_limit/limiters.php';
require __DIR__ . '/timing.php';

if (!extension_loaded('hookguard')) {
    fwrite(STDERR, "load the extension: php -d extension=target/release/libhookguard.so -d apc.enable_cli=1 bench/rate_limit.php\n");
    exit(1);
}
$budget = (float) ($argv[1] ?? 1.0);
$clients = array_map(fn($i) => long2ip(0x0A000000 + $i * 7919), range(0, 9999)); // 10,000 IPv4 addresses

$cases = [];
$cases['hookguard_rate_limit(), one key'] = function (int $n) {
    for ($i = 0; $i < $n; $i++) { hookguard_rate_limit('203.0.113.7', BENCH_LIMIT, BENCH_PERIOD); }
};
$cases['hookguard_rate_limit(), 10,000 keys'] = function (int $n) use ($clients) {
    for ($i = 0; $i < $n; $i++) { hookguard_rate_limit($clients[$i % 10000], BENCH_LIMIT, BENCH_PERIOD); }
};
hookguard_rate_limit('198.51.100.1', 1, BENCH_PERIOD);
$cases['hookguard_rate_limit(), denied'] = function (int $n) {
    for ($i = 0; $i < $n; $i++) { hookguard_rate_limit('198.51.100.1', 1, BENCH_PERIOD); }
};
$apcu = extension_loaded('apcu') && apcu_enabled();
if ($apcu) {
    $cases['APCu fixed window (apcu_inc), 10,000 keys'] = function (int $n) use ($clients) {
        for ($i = 0; $i < $n; $i++) { bench_apcu_allows($clients[$i % 10000]); }
    };
}
$mariadb = getenv('HG_DB_SOCKET') !== false;
if ($mariadb) {
    $db = bench_mariadb_connect(false);
    $db->query(BENCH_MARIADB_SCHEMA);
    $cases['MariaDB table (row per client), 1,000 keys'] = function (int $n) use ($db, $clients) {
        for ($i = 0; $i < $n; $i++) { bench_mariadb_allows($db, $clients[$i % 1000]); }
    };
    $version = $db->server_info;
    $flush = $db->query('SELECT @@innodb_flush_log_at_trx_commit')->fetch_row()[0];
}
$rows = bench_ns_per_op($cases, $budget);

$cpu = trim((string) shell_exec("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"));
$mode = hookguard_mode();
printf("PHP %s, hookguard %s, %s, %d CPUs; hookguard table: %s\n", PHP_VERSION, phpversion('hookguard'), $cpu,
    (int) shell_exec('nproc'), $mode);
if ($mariadb) {
    printf("MariaDB %s, InnoDB, innodb_flush_log_at_trx_commit=%s\n", $version, $flush);
}
echo "\n| one check, in one process | time | vs hookguard (one key) |\n|---|---:|---:|\n";
$base = $rows['hookguard_rate_limit(), one key'];
foreach ($rows as $label => $ns) {
    printf("| %s | %s | %s |\n", $label, fmt($ns), $label === array_key_first($rows) ? '1×' : sprintf('%.1f×', $ns / $base));
}
if (!$apcu) { echo "\n(APCu row skipped: run with -d apc.enable_cli=1 and php8.2-apcu installed)\n"; }
if (!$mariadb) { echo "\n(MariaDB row skipped: run bench/rate_limit.sh, which starts one)\n"; }

echo "\nTargets:\n";
$worst = max($rows['hookguard_rate_limit(), one key'], $rows['hookguard_rate_limit(), 10,000 keys']);
printf("- at most 0.2 µs per check in-process: %s %s\n", fmt($worst), $worst <= 200 ? 'met' : 'MISSED');
if ($mariadb) {
    $ratio = $rows['MariaDB table (row per client), 1,000 keys'] / $worst;
    printf("- at least 100× the database limiter: %.0f× %s\n", $ratio, $ratio >= 100 ? 'met' : 'MISSED');
}

function fmt(float $ns): string
{
    return $ns < 1e4 ? sprintf('%.0f ns', $ns) : ($ns < 1e7 ? sprintf('%.1f µs', $ns / 1e3) : sprintf('%.2f ms', $ns / 1e6));
}

/** The "rate limiter" row of php --ri hookguard. */
function hookguard_mode(): string
{
    ob_start();
    (new ReflectionExtension('hookguard'))->info();
    return preg_match('/^rate limiter => (.*)$/m', ob_get_clean(), $m) ? trim($m[1]) : 'unknown';
}
