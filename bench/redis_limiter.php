<?php
/**
 * One rate-limit decision: the extension's shared-memory table against the
 * same GCRA in Redis (HookGuard\Redis_Limiter, one Lua script per call over
 * a loopback TCP connection), 10,000 keys, interleaved rounds (bench/timing.php).
 *
 *   bench/redis_limiter          # starts its own redis-server on 127.0.0.1
 */

require __DIR__ . '/timing.php';
require __DIR__ . '/../php/hookguard/includes/autoload.php';

$redis = new HookGuard\Redis_Limiter( 'tcp://127.0.0.1:' . (int) $argv[1] );
if ( null === $redis->rate_limit( 'hookguard:bench:probe', 10, 60 ) ) {
	fwrite( STDERR, 'bench: Redis unreachable: ' . $redis->failure() . "\n" );
	exit( 1 );
}
$keys = array();
for ( $i = 0; $i < 10000; $i++ ) {
	$keys[] = "hookguard:bench:fail:shop:10.0.$i";
}
$ns = bench_ns_per_op(
	array(
		'extension, shared memory' => static function ( $n ) use ( $keys ) {
			for ( $i = 0; $i < $n; $i++ ) {
				hookguard_rate_limit( $keys[ $i % 10000 ], 120, 60 );
			}
		},
		'Redis, Lua GCRA (loopback TCP)' => static function ( $n ) use ( $keys, $redis ) {
			for ( $i = 0; $i < $n; $i++ ) {
				$redis->rate_limit( $keys[ $i % 10000 ], 120, 60 );
			}
		},
	),
	3.0
);
$shm = $ns['extension, shared memory'];
echo "| limiter | one decision | × shared memory |\n|---|---:|---:|\n";
foreach ( $ns as $name => $v ) {
	printf( "| %s | %s | %.0f× |\n", $name, $v >= 1000 ? sprintf( '%.1f µs', $v / 1000 ) : sprintf( '%.0f ns', $v ), $v / $shm );
}
