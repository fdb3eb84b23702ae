<?php
/**
 * The three rate limiters the benchmark compares, each answering "may this
 * client make one more request?" for a limit per period:
 * - hookguard_rate_limit(): GCRA in the extension's shared-memory table;
 * - APCu fixed window: a counter per client and window, apcu_inc();
 * - MariaDB table: one row per client, updated on every request (the design
 *   of a limiter kept in the application's database).
 * Used in one process by bench/rate_limit.php and per request under php-fpm
 * by bench/rate_limit/fpm/*.php.
 */

const BENCH_LIMIT = 1000000000; // never reached: every request does the full update
const BENCH_PERIOD = 3600;

function bench_hookguard_allows(string $client): bool
{
    return hookguard_rate_limit($client, BENCH_LIMIT, BENCH_PERIOD)['allowed'];
}

function bench_apcu_allows(string $client): bool
{
    $window = intdiv(time(), BENCH_PERIOD);
    $key = "rate:$client:$window";
    $hits = apcu_inc($key, 1, $created, BENCH_PERIOD);
    if (!$created) { // first hit in this window
        apcu_add($key, 0, BENCH_PERIOD);
        $hits = apcu_inc($key, 1, $created, BENCH_PERIOD);
    }
    return $hits <= BENCH_LIMIT;
}

const BENCH_MARIADB_SCHEMA = 'CREATE TABLE IF NOT EXISTS rate_limits (
    client VARBINARY(64) NOT NULL PRIMARY KEY,
    window_start INT UNSIGNED NOT NULL,
    hits INT UNSIGNED NOT NULL
) ENGINE=InnoDB';

/** A connection to the benchmark database (HG_DB_* from tests/support/mariadb.sh); persistent under php-fpm. */
function bench_mariadb_connect(bool $persistent): mysqli
{
    mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
    return new mysqli(($persistent ? 'p:' : '') . 'localhost', getenv('HG_DB_USER'), getenv('HG_DB_PASSWORD'),
        getenv('HG_DB_NAME'), 0, getenv('HG_DB_SOCKET'));
}

function bench_mariadb_allows(mysqli $db, string $client): bool
{
    static $upsert, $read, $statementsOf;
    if ($statementsOf !== $db) {
        $upsert = $db->prepare('INSERT INTO rate_limits (client, window_start, hits) VALUES (?, ?, 1)
            ON DUPLICATE KEY UPDATE hits = IF(window_start = VALUES(window_start), hits + 1, 1),
                                    window_start = VALUES(window_start)');
        $read = $db->prepare('SELECT hits FROM rate_limits WHERE client = ?');
        $statementsOf = $db;
    }
    $window = intdiv(time(), BENCH_PERIOD) * BENCH_PERIOD;
    $upsert->bind_param('si', $client, $window);
    $upsert->execute();
    $read->bind_param('s', $client);
    $read->execute();
    $read->bind_result($hits);
    $read->fetch();
    $read->free_result();
    return $hits <= BENCH_LIMIT;
}
