<?php
/**
 * HookGuard's fast path: answers POST /wp-json/hookguard/v1/receive/{source}
 * without booting WordPress when it can (see HookGuard\Fast_Path and the
 * README for the nginx location that routes the URL here and passes the
 * site's key).
 *
 * @package HookGuard
 */

require __DIR__ . '/includes/autoload.php';

$hookguard_fast_path = new HookGuard\Fast_Path( $_SERVER );
while ( null !== ( $hookguard_wp_load = $hookguard_fast_path->next() ) ) {
	require_once $hookguard_wp_load; // In the global scope, as wp-config.php and plugins expect.
}
