<?php
/**
 * Plugin Name: HookGuard benchmark site
 * Description: Installed as a must-use plugin by bench/wordpress/run only.
 *
 * (a) "plain": the receiver WordPress integration articles show: a REST route
 *     that counts failures per IP in a transient, verifies the WooCommerce
 *     signature with hash_hmac() + hash_equals(), decodes the JSON and
 *     inserts into a table with a unique key, all in PHP inside WordPress.
 * (b) HookGuard sources for the same deliveries, with a no-op handler.
 */

const HOOKGUARD_BENCH_SECRET = 'bench-secret-0123456789abcdef';

function hookguard_bench_plain_table() {
	return $GLOBALS['wpdb']->prefix . 'plain_webhooks';
}

add_action(
	'rest_api_init',
	static function () {
		register_rest_route(
			'plain/v1',
			'/webhook/(?P<policy>open|strict)',
			array(
				'methods'             => 'POST',
				'permission_callback' => '__return_true',
				'callback'            => 'hookguard_bench_plain_receive',
			)
		);
	}
);

function hookguard_bench_plain_receive( WP_REST_Request $request ) {
	global $wpdb;
	$limit = 'strict' === $request['policy'] ? 1 : 1000000000;
	$key   = 'plain_fail_' . md5( $_SERVER['REMOTE_ADDR'] );
	$fails = (int) get_transient( $key );
	if ( $fails >= $limit ) {
		return new WP_REST_Response( array( 'error' => 'Too Many Requests' ), 429, array( 'Retry-After' => '60' ) );
	}
	$body      = $request->get_body();
	$signature = $request->get_header( 'x_wc_webhook_signature' );
	if ( ! $signature ) {
		set_transient( $key, $fails + 1, MINUTE_IN_SECONDS );
		return new WP_REST_Response( array( 'error' => 'Missing Signature' ), 400 );
	}
	$expected = base64_encode( hash_hmac( 'sha256', $body, HOOKGUARD_BENCH_SECRET, true ) );
	if ( ! hash_equals( $expected, $signature ) ) {
		set_transient( $key, $fails + 1, MINUTE_IN_SECONDS );
		return new WP_REST_Response( array( 'error' => 'Invalid Signature' ), 401 );
	}
	$data = json_decode( $body, true );
	if ( null === $data ) {
		return new WP_REST_Response( array( 'error' => 'Invalid JSON' ), 400 );
	}
	$inserted = $wpdb->query(
		$wpdb->prepare(
			'INSERT IGNORE INTO ' . hookguard_bench_plain_table() . ' (delivery_id, topic, body, received_at) VALUES (%s, %s, %s, UTC_TIMESTAMP())',
			(string) $request->get_header( 'x_wc_webhook_delivery_id' ),
			(string) $request->get_header( 'x_wc_webhook_topic' ),
			$body
		)
	);
	if ( false === $inserted ) {
		return new WP_REST_Response( array( 'error' => 'Unavailable' ), 503 );
	}
	return $inserted
		? new WP_REST_Response( array( 'status' => 'queued', 'id' => $wpdb->insert_id ), 202 )
		: new WP_REST_Response( array( 'status' => 'duplicate' ), 200 );
}

add_action(
	'init',
	static function () {
		$noop = static function () {};
		hookguard_register_source(
			'bench',
			array(
				'scheme'     => 'woocommerce',
				'secrets'    => HOOKGUARD_BENCH_SECRET,
				'rate_limit' => array( 'failed' => array( 'limit' => 1000000000, 'period' => 60 ) ),
				'handler'    => $noop,
			)
		);
		hookguard_register_source(
			'bench-strict',
			array(
				'scheme'     => 'woocommerce',
				'secrets'    => HOOKGUARD_BENCH_SECRET,
				'rate_limit' => array( 'failed' => array( 'limit' => 1, 'period' => 3600 ) ),
				'handler'    => $noop,
			)
		);
	}
);
