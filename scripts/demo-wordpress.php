<?php
/**
 * The deliveries of scripts/demo-wordpress: built exactly as WooCommerce's
 * WC_Webhook::deliver() builds them, sent over HTTP to nginx, each answer
 * printed; then the worker, then the queue table.
 *
 * usage: php -d extension=hookguard.so demo-wordpress.php WORDPRESS_DIR BASE_URL
 */

list( , $wp_dir, $base ) = $argv;
$_SERVER['HTTP_HOST'] = parse_url( $base, PHP_URL_HOST );
define( 'DOING_CRON', true );
require $wp_dir . '/wp-load.php';

// 1. The source, saved as the settings page saves it. WooCommerce stores the
// secret HTML-escaped and signs with wp_specialchars_decode() of it.
$secret = 'demo&amp;' . bin2hex( random_bytes( 12 ) );
HookGuard\Source_Registry::save_admin_source(
	HookGuard\Source::from_args( 'woo', array( 'scheme' => 'woocommerce', 'secrets' => $secret, 'label' => 'Demo shop', 'backoff' => 30 ) )
);
update_option( 'hookguard_settings', array_merge( HookGuard\Settings::all(), array( 'kick' => false ) ) ); // the worker runs below, visibly
HookGuard\Source_Registry::compile();
$stored = get_option( HookGuard\Source_Registry::ADMIN_OPTION )['woo']['secrets'][0];
echo "\n== Source \"woo\" (scheme woocommerce)\n";
echo '  delivery URL: ', rest_url( 'hookguard/v1/receive/woo' ), "\n";
echo '  secret shown as: ', HookGuard\Crypto::mask( $secret ), "\n";
echo '  secret at rest:  ', substr( $stored, 0, 24 ), "… (libsodium secretbox, ", strlen( $stored ), " chars)\n";

function demo_order( $id, $status, $minute ) {
	return array(
		'id'                => $id,
		'status'            => $status,
		'currency'          => 'EUR',
		'total'             => '49.90',
		'date_modified_gmt' => "2024-05-01T10:$minute:00",
		'billing'           => array( 'email' => "customer$id@example.com", 'phone' => '+31 6 1234 5678' ),
		'line_items'        => array( array( 'product_id' => 12, 'quantity' => 1 ) ),
	);
}

function demo_send( $label, $topic, $body, $secret, $time, $signed_body = null ) {
	$webhook_id = 7;
	global $base;
	$headers = array( 'Content-Type: application/json', 'User-Agent: WooCommerce/7.9.0 Hookshot (WordPress/6.1.1)' );
	if ( null !== $topic ) {
		list( $resource, $event ) = explode( '.', $topic );
		$headers = array_merge(
			$headers,
			array(
				'X-WC-Webhook-Source: https://shop.example/',
				"X-WC-Webhook-Topic: $topic",
				"X-WC-Webhook-Resource: $resource",
				"X-WC-Webhook-Event: $event",
				'X-WC-Webhook-Signature: ' . base64_encode( hash_hmac( 'sha256', null === $signed_body ? $body : $signed_body, wp_specialchars_decode( $secret, ENT_QUOTES ), true ) ),
				"X-WC-Webhook-ID: $webhook_id",
				'X-WC-Webhook-Delivery-ID: ' . wp_hash( $webhook_id . $time ),
			)
		);
	} else {
		$headers = array( 'Content-Type: application/x-www-form-urlencoded', 'User-Agent: WooCommerce/7.9.0 Hookshot (WordPress/6.1.1)' );
	}
	$ch = curl_init( $base . '/wp-json/hookguard/v1/receive/woo' );
	curl_setopt_array( $ch, array( CURLOPT_POST => true, CURLOPT_POSTFIELDS => $body, CURLOPT_HTTPHEADER => $headers, CURLOPT_RETURNTRANSFER => true ) );
	$answer = curl_exec( $ch );
	printf( "  %-52s -> %d %s\n", $label, curl_getinfo( $ch, CURLINFO_RESPONSE_CODE ), $answer );
}

echo "\n== Deliveries (POST /wp-json/hookguard/v1/receive/woo, answered by the fast path)\n";
$t = time();
demo_send( 'ping when the webhook is activated', null, 'webhook_id=7', $secret, $t );
demo_send( 'order.created #1001', 'order.created', trim( wp_json_encode( demo_order( 1001, 'processing', '00' ) ) ), $secret, $t );
demo_send( 'order.created #1002 (same second, same Delivery-ID)', 'order.created', trim( wp_json_encode( demo_order( 1002, 'on-hold', '00' ) ) ), $secret, $t );
demo_send( 'order.updated #1001 -> completed', 'order.updated', trim( wp_json_encode( demo_order( 1001, 'completed', '05' ) ) ), $secret, $t + 1 );
demo_send( 'product.deleted #12', 'product.deleted', '{"id":12}', $secret, $t + 1 );
demo_send( 'order.created #1001 re-sent later', 'order.created', trim( wp_json_encode( demo_order( 1001, 'processing', '00' ) ) ), $secret, $t + 40 );
demo_send( 'order.created #1003 forged (wrong secret)', 'order.created', trim( wp_json_encode( demo_order( 1003, 'processing', '00' ) ) ), 'guessed-secret', $t );
$signed = trim( wp_json_encode( demo_order( 1004, 'processing', '00' ) ) );
demo_send( 'order.created #1004 altered in transit (total)', 'order.created', str_replace( '49.90', '0.01', $signed ), $secret, $t, $signed );

echo "\n== Worker (php wp-content/plugins/hookguard/cli.php drain)\n";
$cmd = array( PHP_BINARY, '-d', 'extension=' . getenv( 'HG_EXTENSION' ), $wp_dir . '/wp-content/plugins/hookguard/cli.php', 'drain', '--path=' . $wp_dir );
$process = proc_open( $cmd, array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes );
$stats   = stream_get_contents( $pipes[1] );
$log     = stream_get_contents( $pipes[2] );
proc_close( $process );
echo @file_get_contents( WP_CONTENT_DIR . '/demo-handled.log' );
echo preg_replace( '/^/m', '  log: ', trim( $log ) ), "\n";
echo '  result: ', trim( $stats ), "\n";

echo "\n== Queue table {$wpdb->prefix}hookguard_queue\n";
$rows = $wpdb->get_results( "SELECT id, topic, status, attempts, received_at, next_attempt_at, processed_at, last_error FROM {$wpdb->prefix}hookguard_queue ORDER BY id", ARRAY_A );
$cols = array( 'id' => 3, 'topic' => 16, 'status' => 10, 'attempts' => 8, 'received_at' => 19, 'next_attempt_at' => 23, 'processed_at' => 19, 'last_error' => 0 );
foreach ( $cols as $name => $width ) {
	printf( '  %-' . $width . 's', $name );
}
echo "\n";
foreach ( $rows as $row ) {
	foreach ( $cols as $name => $width ) {
		printf( '  %-' . $width . 's', null === $row[ $name ] ? '-' : $row[ $name ] );
	}
	echo "\n";
}
echo "\n  counts: ", json_encode( ( new HookGuard\Queue_Store() )->counts() ), "\n";
