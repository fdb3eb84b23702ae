<?php
/**
 * Benchmark only (bench/wordpress/run copies it into the site's document
 * root): the fast path's work for a forged WooCommerce delivery, cut after
 * one phase, so wrk can measure what each phase costs under load. The
 * difference between two phases' request rates is that phase's share.
 *
 *   ?upto=bootstrap      the plugin's autoloader (and php/compat's check)
 *   ?upto=classes        + every class the fast path loads for this answer
 *   ?upto=configuration  + the site's sealed configuration, opened
 *   ?upto=decision       + the request read, the signature checked, the 401 sent
 *   ?upto=store          for accepted deliveries: the configuration opened, the
 *                        body read and stored (Direct_Db, Queue_Store::enqueue(),
 *                        one durable commit) and 202 sent; no verification,
 *                        parsing or receiver: the database's share alone
 *
 * After "decision" comes the fast path itself (receive.php through the
 * keyed location): the Receiver with its two rate-limiter calls (refresh
 * budget, failure budget), and the full WordPress loads its refreshes cost.
 * Each phase answers 401, like the floor script beside it.
 */

$phase = $_GET['upto'] ?? '';
$site  = require __DIR__ . '/phase-site.php'; // array( plugin folder, fast-path key ), written by bench/wordpress/run.

require $site['plugin'] . '/includes/autoload.php';
if ( 'bootstrap' === $phase ) {
	http_response_code( 401 );
	echo '{}';
	return;
}

$classes = array( 'Fast_Path', 'Fast_Path_Cache', 'Source', 'Request', 'Response', 'Receiver', 'Client_Ip', 'Core\\Limiter', 'Scheme_Profile' );
foreach ( $classes as $class ) {
	class_exists( 'HookGuard\\' . $class );
}
if ( 'classes' === $phase ) {
	http_response_code( 401 );
	echo '{}';
	return;
}

$config = ( new HookGuard\Fast_Path_Cache( $site['key'] ) )->fetch( HookGuard\Fast_Path_Cache::STALE_TTL );
if ( 'configuration' === $phase ) {
	http_response_code( $config ? 401 : 500 );
	echo '{}';
	return;
}

if ( 'store' === $phase ) {
	$body   = (string) file_get_contents( 'php://input' );
	$stored = ( new HookGuard\Queue_Store( new HookGuard\Direct_Db( unserialize( $config['db'] ) ) ) )->enqueue( 'bench', 'body:' . hash( 'sha256', $body ), 'order.created', $body, array() );
	http_response_code( $stored && $stored['new'] ? 202 : 500 );
	echo '{}';
	return;
}

$source  = HookGuard\Source::from_array( unserialize( $config['sources']['bench'] ) ); // Each source is sealed serialized on its own.
$request = HookGuard\Request::from_globals( 'bench', $_SERVER, (string) file_get_contents( 'php://input', false, null, 0, $source->max_body + 1 ) );
$reason  = hookguard_check( $source->scheme, $request->body, $request->headers, $source->secrets, $source->options );
HookGuard\Response::error( 'ok' === $reason ? 500 : 401, 'ok' === $reason ? 'unexpected' : $reason )->send();
