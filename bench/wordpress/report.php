<?php
/**
 * Prints bench/wordpress/run's results as a markdown table with ratios and
 * the targets from issue #4.
 */

list( , $seconds, $connections, $workers, $drain1, $drain2 ) = $argv;
$r        = array_map( static function ( $json ) { return json_decode( $json, true ); }, array_slice( $argv, 6 ) );
$names    = array( 'accepted', 'forged', 'over-limit' );
$plain    = array_combine( $names, array_slice( $r, 0, 3 ) );
$fast     = array_combine( $names, array_slice( $r, 3, 3 ) );
$rest     = array_combine( $names, array_slice( $r, 6, 3 ) );
$floor    = $r[9];
$db_up    = $r[10] ?? null;
$spooled  = $r[11] ?? null;
$phases   = array_filter( array_combine( array( 'bootstrap', 'classes', 'configuration', 'decision' ), array_pad( array_slice( $r, 12, 4 ), 4, null ) ) );
$rps      = static function ( $x ) { return $x['requests'] / ( $x['duration_us'] / 1e6 ); };
$ms       = static function ( $us ) { return sprintf( '%.1f', $us / 1000 ); };
$targets  = array( 'accepted' => 10, 'forged' => 50, 'over-limit' => 50 );

printf( "WooCommerce deliveries, wrk -c%d for %d s each, %d php-fpm workers, %d CPUs, PHP %s, MariaDB, WordPress 6.1, HookGuard %s\n\n", $connections, $seconds, $workers, (int) shell_exec( 'nproc' ), PHP_VERSION, getenv( 'HG_EXTENSION' ) ? 'native' : 'php/compat' );
echo "| deliveries | plain WP REST route req/s (p50 / p99 ms) | HookGuard fast path req/s (p50 / p99 ms) | ratio | target | HookGuard REST route req/s (p50 / p99 ms) | fast path / floor |\n";
echo "|---|---|---|---|---|---|---:|\n";
$ok = true;
foreach ( $names as $name ) {
	$ratio = $rps( $fast[ $name ] ) / $rps( $plain[ $name ] );
	$met   = $ratio >= $targets[ $name ] && ( 'accepted' !== $name || $fast[ $name ]['p99_us'] <= 15000 );
	$ok    = $ok && $met;
	printf(
		"| %s | %.0f (%s / %s) | %.0f (%s / %s) | **%.1f×** | ≥ %d×%s: %s | %.0f (%s / %s) | %.2f× |\n",
		$name,
		$rps( $plain[ $name ] ), $ms( $plain[ $name ]['p50_us'] ), $ms( $plain[ $name ]['p99_us'] ),
		$rps( $fast[ $name ] ), $ms( $fast[ $name ]['p50_us'] ), $ms( $fast[ $name ]['p99_us'] ),
		$ratio,
		$targets[ $name ],
		'accepted' === $name ? ', p99 ≤ 15 ms' : '',
		$met ? 'met' : 'MISSED',
		$rps( $rest[ $name ] ), $ms( $rest[ $name ]['p50_us'] ), $ms( $rest[ $name ]['p99_us'] ),
		$rps( $fast[ $name ] ) / $rps( $floor )
	);
}
printf(
	"\nFloor: an empty PHP script (`http_response_code(401)`) through the same nginx + php-fpm: %.0f req/s (%s / %s ms) = %.1f× the plain route's forged row. The fast path's forged row runs at %.0f %% of it.\n",
	$rps( $floor ), $ms( $floor['p50_us'] ), $ms( $floor['p99_us'] ),
	$rps( $floor ) / $rps( $plain['forged'] ),
	100 * $rps( $fast['forged'] ) / $rps( $floor )
);
printf(
	"\nIssue #14's targets: rejections at ≥ 90 %% of the floor (forged %.0f %%, over-limit %.0f %%: %s); accepted at ≥ 15× the plain route with p99 ≤ 10 ms (%.1f×, p99 %s ms: %s).\n",
	100 * $rps( $fast['forged'] ) / $rps( $floor ),
	100 * $rps( $fast['over-limit'] ) / $rps( $floor ),
	min( $rps( $fast['forged'] ), $rps( $fast['over-limit'] ) ) >= 0.9 * $rps( $floor ) ? 'met' : 'MISSED',
	$rps( $fast['accepted'] ) / $rps( $plain['accepted'] ),
	$ms( $fast['accepted']['p99_us'] ),
	$rps( $fast['accepted'] ) >= 15 * $rps( $plain['accepted'] ) && $fast['accepted']['p99_us'] <= 10000 ? 'met' : 'MISSED'
);
if ( count( $phases ) === 4 ) {
	// Machine time per request (both CPUs, nginx and wrk included): 1 s / rate.
	echo "\nWhere a forged delivery's time goes on the fast path (bench/wordpress/phase.php: the same work cut after each phase, measured like the rows above):\n\n";
	echo "| phase | req/s | machine µs per request (1 s / rate) | added | PHP-FPM CPU µs per request | added |\n|---|---:|---:|---:|---:|---:|\n";
	$rows = array( 'floor (empty script)' => $floor ) + array_combine( array( '+ bootstrap (autoloader)', '+ loading the classes', '+ configuration (sealed cache opened)', '+ decision (headers, verify, 401)' ), array_values( $phases ) ) + array( '= the fast path (receiver, limiter, refreshes)' => $fast['forged'] );
	$previous = null;
	foreach ( $rows as $label => $row ) {
		$us  = 1e6 / $rps( $row );
		$cpu = $row['php_cpu_us'] ?? null;
		printf(
			"| %s | %.0f | %.1f | %s | %s | %s |\n",
			$label, $rps( $row ), $us, null === $previous ? '' : sprintf( '%+.1f', $us - $previous[0] ),
			null === $cpu ? '' : sprintf( '%.1f', $cpu ), null === $previous || null === $cpu || null === $previous[1] ? '' : sprintf( '%+.1f', $cpu - $previous[1] )
		);
		$previous = array( $us, $cpu );
	}
}
$store = $r[16] ?? null;
if ( $store ) {
	printf(
		"\nAn accepted delivery's database share: storing alone (phase.php?upto=store: the sealed configuration, Direct_Db, Queue_Store::enqueue(), one durable commit, 202) runs at %.0f req/s (%s / %s ms); the fast path's accepted row is %.0f %% of it, and storing alone is %.1f× the plain route.\n",
		$rps( $store ), $ms( $store['p50_us'] ), $ms( $store['p99_us'] ),
		100 * $rps( $fast['accepted'] ) / $rps( $store ),
		$rps( $store ) / $rps( $plain['accepted'] )
	);
}
printf( "\nWorker drain, no-op handler (cli.php drain --batch=100, wall time incl. WordPress boot): 1 worker %d deliveries/s, 2 workers %d deliveries/s (target ≥ 2000/s: %s)\n", $drain1, $drain2, max( $drain1, $drain2 ) >= 2000 ? 'met' : 'MISSED' );
if ( $db_up && $spooled ) {
	printf(
		"\nDatabase down: the fast path spools verified deliveries (fsync before answering) at %.0f req/s (%s / %s ms), against %.0f req/s (%s / %s ms) into the database just before: %.2f×.\n",
		$rps( $spooled ), $ms( $spooled['p50_us'] ), $ms( $spooled['p99_us'] ),
		$rps( $db_up ), $ms( $db_up['p50_us'] ), $ms( $db_up['p99_us'] ),
		$rps( $spooled ) / $rps( $db_up )
	);
}
