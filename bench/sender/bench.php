<?php
/**
 * The sender benchmark's measurements, run inside the site bench/sender/run
 * started (WordPress loaded; WooCommerce when the fixtures were there).
 *
 *  1. Added latency of an order status change (processing -> completed):
 *     none (no destination), HookGuard (one outbox row), and a synchronous
 *     wp_remote_post() in the hook to a receiver answering in 200 ms.
 *     Interleaved rounds; medians.
 *  2. The worker's send rate to nginx answering 204 at once (a no-op
 *     receiver), with the floors that bound it: curl POSTs alone and
 *     signing alone.
 *
 * Env: HG_FAULT_URL (the 200 ms receiver), HG_NOOP_URL, HG_BENCH_ROWS.
 */

use HookGuard\Outbox;

$median = static function ( array $xs ) {
	sort( $xs );
	return $xs[ intdiv( count( $xs ), 2 ) ];
};
$ms     = static function ( $s ) {
	return sprintf( '%.2f ms', $s * 1000 );
};
$out    = array();

// 1. Order status change.
if ( function_exists( 'wc_create_order' ) ) {
	$rounds  = (int) ( getenv( 'HG_BENCH_ROUNDS' ) ?: 30 );
	$product = new WC_Product_Simple();
	$product->set_name( 'Bench mug' );
	$product->set_regular_price( '10' );
	$product->save();
	$order_for = static function () use ( $product ) {
		$order = wc_create_order();
		$order->add_product( $product, 1 );
		$order->set_billing_email( 'bench@example.com' );
		$order->calculate_totals();
		$order->set_status( 'processing' );
		$order->save();
		return $order->get_id();
	};
	// What the WC Order Sync design does: the same body, POSTed inside the hook.
	$sync = static function ( $order_id, $order ) {
		wp_remote_post( getenv( 'HG_FAULT_URL' ) . '/slow', array( 'body' => wp_json_encode( HookGuard\Events::order_sync_body( $order ) ), 'timeout' => 5 ) );
	};
	// The time spent in the completed-status action, callbacks included: what a push adds to the request.
	$in_hook = 0.0;
	add_action( 'woocommerce_order_status_completed', static function () use ( &$in_hook ) { $in_hook = -microtime( true ); }, PHP_INT_MIN );
	add_action( 'woocommerce_order_status_completed', static function () use ( &$in_hook ) { $in_hook += microtime( true ); }, PHP_INT_MAX );
	$times = array( 'none' => array(), 'HookGuard outbox' => array(), 'synchronous wp_remote_post' => array() );
	$hooks = $times;
	for ( $round = 0; $round < $rounds; $round++ ) {
		foreach ( array_keys( $times ) as $case ) {
			Destination_Registry_Bench::set( 'HookGuard outbox' === $case );
			if ( 'synchronous wp_remote_post' === $case ) {
				add_action( 'woocommerce_order_status_completed', $sync, 10, 2 );
			}
			$order = wc_get_order( $order_for() );
			$t     = microtime( true );
			$order->update_status( 'completed' );
			$times[ $case ][] = microtime( true ) - $t;
			$hooks[ $case ][] = $in_hook;
			remove_action( 'woocommerce_order_status_completed', $sync );
		}
	}
	// As bench/timing.php: on a shared VM each case's best round is its cost; medians shown beside.
	$best  = static function ( array $xs ) {
		return min( $xs );
	};
	$added = array();
	foreach ( $hooks as $case => $xs ) {
		$added[ $case ] = $best( $xs ) - $best( $hooks['none'] );
	}
	$out[] = "### Order status change (processing -> completed), $rounds interleaved rounds\n";
	$out[] = '| case | whole status change (median) | in the completed hook (median) | in the hook (best) | added by the push (best) |';
	$out[] = '|---|---:|---:|---:|---:|';
	foreach ( $times as $case => $xs ) {
		$out[] = "| $case | " . $ms( $median( $xs ) ) . ' | ' . $ms( $median( $hooks[ $case ] ) ) . ' | ' . $ms( $best( $hooks[ $case ] ) ) . ' | ' . ( 'none' === $case ? '—' : $ms( $added[ $case ] ) ) . ' |';
	}
	$ratio = $added['synchronous wp_remote_post'] / max( 1e-6, $added['HookGuard outbox'] );
	$out[] = sprintf( "\nHookGuard adds %.0f× less latency than a synchronous push to a 200 ms receiver (target ≥ 50×).\n", $ratio );
	global $wpdb;
	$wpdb->query( 'DELETE FROM ' . Outbox::store()->table() );
} else {
	$out[] = "### Order status change: skipped (no WooCommerce: ../shared/fixtures absent)\n";
}

// 2. Send rate to a no-op receiver.
$rows = (int) ( getenv( 'HG_BENCH_ROWS' ) ?: 3000 );
hookguard_register_destination( 'noop', array( 'url' => getenv( 'HG_NOOP_URL' ), 'scheme' => 'wp-relay', 'secret' => 'bench-secret-0123456789', 'events' => array( 'bench.*' ), 'timeout' => 5 ) );
$body = (string) wp_json_encode( array( 'event' => 'bench.noop', 'data' => array( 'order' => 1, 'note' => str_repeat( 'x', 300 ) ) ) );
for ( $i = 0; $i < $rows; $i++ ) {
	hookguard_emit( 'bench.noop', array( 'i' => $i, 'note' => str_repeat( 'x', 300 ) ) );
}
$t     = microtime( true );
$stats = Outbox::drain( array( 'batch' => 100, 'idle_wait' => 0, 'time_limit' => 0 ) );
$drain = microtime( true ) - $t;

$client = new HookGuard\Core\Http_Client();
$t      = microtime( true );
for ( $i = 0; $i < $rows; $i++ ) {
	$client->post( getenv( 'HG_NOOP_URL' ), $body, array( 'Content-Type' => 'application/json' ), 5 );
}
$http = microtime( true ) - $t;
$t    = microtime( true );
for ( $i = 0; $i < $rows; $i++ ) {
	hookguard_sign( 'wp-relay', $body, 'bench-secret-0123456789', array( 'timestamp' => time(), 'id' => 'evt_' . $i ) );
}
$sign = microtime( true ) - $t;

$out[] = "### Worker send rate to a no-op receiver (nginx `return 204`), $rows rows, batch 100\n";
$out[] = '| what | per second | per row |';
$out[] = '|---|---:|---:|';
$out[] = sprintf( '| outbox drain (claim, sign, POST, record) | %.0f | %s |', $stats['delivered'] / $drain, $ms( $drain / max( 1, $stats['delivered'] ) ) );
$out[] = sprintf( '| curl POSTs alone (keep-alive), the HTTP floor | %.0f | %s |', $rows / $http, $ms( $http / $rows ) );
$out[] = sprintf( '| hookguard_sign alone | %.0f | %s |', $rows / $sign, $ms( $sign / $rows ) );
$out[] = sprintf( "\nDelivered %d of %d (%s). Beyond the HTTP floor, a row's time is the database's: one claim UPDATE + SELECT per batch of 100 (payloads included), one UPDATE per batch for the delivered rows.", $stats['delivered'], $rows, json_encode( $stats ) );
echo implode( "\n", $out ), "\n";

/** Registers or removes the benchmark's order destination in this process. */
final class Destination_Registry_Bench {
	public static function set( $on ) {
		if ( $on ) {
			hookguard_register_destination( 'bench-orders', array( 'url' => getenv( 'HG_FAULT_URL' ) . '/orders', 'scheme' => 'woo-order-sync', 'secret' => str_repeat( 'ab', 32 ), 'events' => array( 'woocommerce.order.completed' ) ) );
		} else {
			HookGuard\Destination_Registry::unregister( 'bench-orders' );
		}
	}
}
