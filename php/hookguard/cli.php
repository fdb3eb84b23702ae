<?php
/**
 * HookGuard's command line, for system cron or a supervisor:
 *
 *   php cli.php drain  [--path=/var/www/html] [--batch=N] [--lease=S] [--time-limit=S]
 *   php cli.php status [--path=...]
 *   php cli.php nginx  [--path=...]
 *
 * "drain" runs a worker until nothing is due (or the time limit passes) and
 * prints what it did as JSON; "status" prints the counts per status;
 * "nginx" prints the fast path's nginx location with this site's key. The
 * WordPress root is --path, else HOOKGUARD_WP_PATH, else found by walking up.
 *
 * @package HookGuard
 */

if ( 'cli' !== PHP_SAPI ) {
	exit( 1 );
}

require __DIR__ . '/includes/autoload.php';

$hookguard_cli = HookGuard\Cli::parse( $argv );
if ( is_int( $hookguard_cli ) ) {
	exit( $hookguard_cli );
}
// WordPress is loaded in the global scope, as wp-config.php expects. A
// database failure, while loading or while working, is one line on stderr
// and exit status 1.
HookGuard\Cli::prepare_environment();
try {
	require_once $hookguard_cli['wp_load'];
	exit( HookGuard\Cli::run( $hookguard_cli ) );
} catch ( HookGuard\Store_Error $hookguard_error ) {
	fwrite( STDERR, 'hookguard: ' . $hookguard_error->getMessage() . "\n" );
	exit( 1 );
}
