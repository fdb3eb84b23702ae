<?php
/**
 * The sending half in scripts/demo-wordpress: an event raised in a request
 * writes one outbox row and nothing else; the worker pushes it to a
 * receiver (tests/support/fault_receiver.py, which checks the signature
 * itself) that fails the first attempt with 503, retries on schedule with
 * a fresh timestamp and the same event id, and delivers. On the WooCommerce
 * shop the event is a completed order (the WC Order Sync body); on plain
 * WordPress a new comment (the relay body). Then Test connection against
 * HookGuard's own receiver, green and red.
 *
 * usage: php -d extension=hookguard.so demo-wordpress-push.php WORDPRESS_DIR BASE_URL FAULT_URL
 */

list( , $wp_dir, $base, $fault ) = $argv;
$_SERVER['HTTP_HOST'] = parse_url( $base, PHP_URL_HOST );
define( 'DOING_CRON', true );
require $wp_dir . '/wp-load.php';

function demo_fault( $path, $json = null ) {
	$ch = curl_init( $GLOBALS['fault'] . $path );
	curl_setopt( $ch, CURLOPT_RETURNTRANSFER, true );
	if ( null !== $json ) {
		curl_setopt( $ch, CURLOPT_POSTFIELDS, json_encode( $json ) );
	}
	$out = curl_exec( $ch );
	return json_decode( (string) $out, true );
}

function demo_row( $event_id ) {
	foreach ( HookGuard\Outbox::store()->for_event( $event_id ) as $row ) {
		printf( "  outbox row %d: %-9s attempts %d  last %s  %s\n", $row['id'], $row['status'], $row['attempts'], $row['last_status'] ?? '-', $row['last_error'] ?? '' );
	}
}

update_option( 'hookguard_settings', array_merge( HookGuard\Settings::all(), array( 'kick' => false ) ) ); // the worker runs below, visibly
$shop = function_exists( 'wc_create_order' );
if ( $shop ) {
	$secret = bin2hex( random_bytes( 32 ) ); // WC Order Sync: 64 hex characters, used as ASCII.
	$path   = '/api/woo/order-completed';
	$args   = array( 'url' => $fault . $path, 'scheme' => 'woo-order-sync', 'secret' => $secret, 'events' => array( 'woocommerce.order.completed' ), 'backoff' => 2 );
} else {
	$secret = 'relay-' . bin2hex( random_bytes( 16 ) );
	$path   = '/relay';
	$args   = array( 'url' => $fault . $path, 'scheme' => 'wp-relay', 'secret' => $secret, 'events' => array( 'wordpress.comment.created' ), 'backoff' => 2 );
}
HookGuard\Destination_Registry::save_admin( HookGuard\Core\Destination::from_args( 'crm', $args ) );
demo_fault( '/_script', array( 'path' => $path, 'scheme' => $args['scheme'], 'secret' => $secret, 'steps' => array( array( 'status' => 503, 'body' => '{"error":"maintenance"}' ) ) ) );
printf( "\n== Destination \"crm\": %s, scheme %s, events %s; the receiver answers 503 once, then 200\n", $args['url'], $args['scheme'], implode( ', ', $args['events'] ) );

if ( $shop ) {
	$product = new WC_Product_Simple();
	$product->set_name( 'Blue mug' );
	$product->set_sku( 'MUG-1' );
	$product->set_regular_price( '12.50' );
	$product->save();
	$order = wc_create_order();
	$order->add_product( $product, 2 );
	$order->set_billing_email( 'jane.doe@example.com' );
	$order->set_address( array( 'first_name' => 'Jane', 'last_name' => 'Doe', 'address_1' => 'Dam 1', 'city' => 'Amsterdam', 'postcode' => '1012 JS', 'country' => 'NL' ), 'shipping' );
	$order->calculate_totals();
	$order->set_status( 'processing' );
	$order->save();
	$started = microtime( true );
	$order->update_status( 'completed' );
	printf( "\n== Order %d completed in %.1f ms (HPOS %s); HTTP requests the receiver got meanwhile: %d\n", $order->get_id(), ( microtime( true ) - $started ) * 1000, \Automattic\WooCommerce\Utilities\OrderUtil::custom_orders_table_usage_is_enabled() ? 'on' : 'off', count( demo_fault( '/_log' ) ) );
} else {
	echo "\n== No WooCommerce here (../shared/fixtures absent): the push is shown with a new comment\n";
	$post_id = wp_insert_post( array( 'post_title' => 'Demo post', 'post_status' => 'publish', 'comment_status' => 'open' ) );
	$ch      = curl_init( $base . '/wp-comments-post.php' );
	curl_setopt_array( $ch, array( CURLOPT_RETURNTRANSFER => true, CURLOPT_POSTFIELDS => http_build_query( array( 'comment_post_ID' => $post_id, 'author' => 'Jane', 'email' => 'jane@example.com', 'comment' => 'Nice mug!' ) ) ) );
	$started = microtime( true );
	curl_exec( $ch );
	printf( "  comment posted over HTTP, answered %d in %.1f ms; HTTP requests the receiver got meanwhile: %d\n", curl_getinfo( $ch, CURLINFO_RESPONSE_CODE ), ( microtime( true ) - $started ) * 1000, count( demo_fault( '/_log' ) ) );
}
$row      = HookGuard\Outbox::store()->recent( 1 )[0];
$event_id = $row['event_id'];
echo "  one outbox row, exact bytes: ", HookGuard\Outbox::store()->get( (int) $row['id'] )['payload'], "\n";
demo_row( $event_id );

echo "\n== The worker (php cli.php drain), twice: the first attempt meets the 503\n";
$cli = static function () use ( $wp_dir ) {
	echo '  $ php cli.php drain → ', trim( (string) shell_exec( escapeshellarg( PHP_BINARY ) . ' -d extension=' . escapeshellarg( getenv( 'HG_EXTENSION' ) ) . ' ' . escapeshellarg( $wp_dir . '/wp-content/plugins/hookguard/cli.php' ) . ' drain --path=' . escapeshellarg( $wp_dir ) ) ), "\n";
};
$cli();
demo_row( $event_id );
$due = HookGuard\Outbox::store()->for_event( $event_id )[0]['next_attempt_at'];
echo "  next attempt at $due UTC (backoff 2 s ±10 %)\n";
while ( 'pending' === HookGuard\Outbox::store()->for_event( $event_id )[0]['status'] && $GLOBALS['wpdb']->get_var( $GLOBALS['wpdb']->prepare( 'SELECT %s > UTC_TIMESTAMP(3)', $due ) ) ) {
	usleep( 100000 );
}
$cli();
demo_row( $event_id );

echo "\n== What the receiver got (it verified each signature with its own HMAC)\n";
$first = null;
foreach ( demo_fault( '/_log' ) as $entry ) {
	$headers = array_change_key_case( $entry['headers'] );
	$first   = $first ?? $entry['time'];
	printf(
		"  +%5.2f s  answered %d  verified %s  %s\n",
		$entry['time'] - $first,
		$entry['step']['status'] ?? 200,
		$entry['verified'] ? 'yes' : 'NO',
		$shop ? 'X-Woo-Signature ' . substr( $headers['x-woo-signature'], 0, 23 ) . '…  order_ref ' . json_decode( $entry['body'], true )['order_ref']
			: 'X-WP-Timestamp ' . $headers['x-wp-timestamp'] . '  X-Event-Id ' . $headers['x-event-id']
	);
}

echo "\n== Test connection against HookGuard's own receiver (a source \"peer\" on this site)\n";
HookGuard\Source_Registry::save_admin_source( HookGuard\Source::from_args( 'peer', array( 'scheme' => 'wp-relay', 'secrets' => 'peer-secret-0123456789abcdef' ) ) );
foreach ( array( 'right secret' => 'peer-secret-0123456789abcdef', 'wrong secret' => 'not-the-peer-secret-at-all' ) as $label => $peer_secret ) {
	$destination = HookGuard\Core\Destination::from_args( 'peer-test', array( 'url' => $base . '/index.php?rest_route=/hookguard/v1/receive/peer', 'scheme' => 'wp-relay', 'secret' => $peer_secret, 'events' => '*' ) );
	$result      = HookGuard\Core\Connection_Test::run( $destination, home_url( '/' ) );
	printf( "  %-12s → %s: %s\n", $label, $result['result'], $result['message'] );
}
