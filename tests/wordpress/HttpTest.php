<?php
/**
 * Every answer in the README's table, over real HTTP through nginx and
 * php-fpm, on both ways in: the fast path (receive.php, at the REST URL via
 * the documented nginx location) and the REST route (full WordPress). Each
 * case runs on both and expects the same answer.
 */

namespace HookGuard\Tests;

use HookGuard\Source_Registry;

final class HttpTest extends TestCase {

	public static function setUpBeforeClass(): void {
		self::trust_the_local_proxy();
	}

	protected function setUp(): void {
		self::reset_queue();
	}

	private static function queued() {
		return array_sum( self::store()->counts() );
	}

	/** @dataProvider paths */
	public function test_a_method_other_than_post_is_405_with_allow_post( $path ) {
		foreach ( array( 'GET', 'PUT', 'DELETE', 'OPTIONS' ) as $method ) {
			$r = self::http( $method, self::url( $path, 'shop' ) );
			$this->assertSame( 405, $r['status'], $method );
			$this->assertSame( 'method_not_allowed', $r['json']['error'], $method );
			$this->assertSame( 'POST', $r['headers']['allow'] );
		}
	}

	/** @dataProvider paths */
	public function test_an_unknown_source_is_404( $path ) {
		$r = self::post( $path, 'no-such-source', self::woocommerce( self::order( 1 ) ) );
		$this->assertSame( 404, $r['status'] );
		$this->assertSame( 'unknown_source', $r['json']['error'] );
		$r = self::http( 'POST', self::url( $path, '' ), '{}' );
		$this->assertSame( 404, $r['status'] );
	}

	/** @dataProvider paths */
	public function test_a_signed_woocommerce_delivery_is_queued_as_received( $path ) {
		$delivery = self::woocommerce( self::order( 1001 ) );
		$r        = self::post( $path, 'shop', $delivery );
		$this->assertSame( 202, $r['status'], $r['body'] );
		$this->assertSame( 'queued', $r['json']['status'] );
		$this->assertIsInt( $r['json']['id'] );

		$row = self::row( $r['json']['id'] );
		$this->assertSame( 'shop', $row->source );
		$this->assertSame( 'order.created', $row->topic );
		$this->assertSame( 'pending', $row->status );
		$this->assertSame( '0', $row->attempts );
		$this->assertSame( $delivery['body'], $row->body, 'the raw body, byte for byte' );
		$headers = json_decode( $row->headers, true );
		$this->assertSame( '7', $headers['x-wc-webhook-id'] );
		$this->assertSame( 'order.created', $headers['x-wc-webhook-topic'] );
		$this->assertArrayNotHasKey( 'x-wc-webhook-signature', $headers, 'signatures are not stored' );
		$this->assertArrayNotHasKey( 'x-forwarded-for', $headers );
	}

	/**
	 * The fast path stores through $wpdb when it had to load WordPress (its
	 * cache was cold) and through its own connection when the cache is warm:
	 * both store the same row.
	 */
	/**
	 * Cold (nothing cached: WordPress loads before the answer), expired (the
	 * old entry answers, WordPress loads after the answer) and warm (no load).
	 */
	public function test_the_fast_path_stores_with_a_cold_an_expired_and_a_warm_cache() {
		$order = 1100;
		$this->assertTrue( self::http( 'GET', getenv( 'HG_WP_URL' ) . '/tenant/?do=clear' )['json']['cleared'] );
		$before = self::fast_path_refreshes();
		$cold   = self::post( 'fast', 'shop', self::woocommerce( self::order( ++$order ) ) );
		$this->assertSame( $before + 1, self::fast_path_refreshes(), 'the cold cache was filled before the answer' );

		self::outlive_fast_path_cache();
		$before  = self::fast_path_refreshes();
		$expired = self::post( 'fast', 'shop', self::woocommerce( self::order( ++$order ) ) );
		$this->assertSame( $before + 1, self::await_refreshes_past( $before ), 'the expired entry was refreshed once, after the answer' );

		$before = self::fast_path_refreshes();
		$warm   = self::post( 'fast', 'shop', self::woocommerce( self::order( ++$order ) ) );
		$this->assertSame( $before, self::fast_path_refreshes(), 'a warm cache loads nothing' );

		$this->assertSame( array( 202, 202, 202 ), array( $cold['status'], $expired['status'], $warm['status'] ) );
		foreach ( array( $cold, $expired, $warm ) as $r ) {
			$row = self::row( $r['json']['id'] );
			$this->assertSame( array( 'shop', 'order.created', 'pending' ), array( $row->source, $row->topic, $row->status ) );
		}
		$this->assertSame( 200, self::post( 'fast', 'shop', self::woocommerce( self::order( $order ) ) )['status'] );
	}

	/** @dataProvider paths */
	public function test_a_binary_body_is_stored_byte_for_byte( $path ) {
		$body = "\x00\xff\xfe raw \x80 bytes \x00";
		$r    = self::post( $path, 'by-action', self::hmac( $body ) );
		$this->assertSame( 202, $r['status'], $r['body'] );
		$this->assertSame( $body, self::row( $r['json']['id'] )->body );
	}

	/** @dataProvider paths */
	public function test_a_repeat_is_200_duplicate_and_queues_nothing( $path ) {
		$delivery = self::woocommerce( self::order( 1002 ) );
		$first    = self::post( $path, 'shop', $delivery );
		$again    = self::post( $path, 'shop', $delivery );
		$this->assertSame( 202, $first['status'] );
		$this->assertSame( 200, $again['status'] );
		$this->assertSame( 'duplicate', $again['json']['status'] );
		$this->assertSame( $first['json']['id'], $again['json']['id'] );
		$this->assertSame( 1, self::queued() );
	}

	/** The same delivery sent 12 times at once: the unique index lets exactly one in. */
	/** @dataProvider paths */
	public function test_concurrent_copies_of_one_delivery_are_queued_once( $path ) {
		$delivery = self::woocommerce( self::order( 1200 + ( 'fast' === $path ? 1 : 2 ) ) );
		$multi    = curl_multi_init();
		$handles  = array();
		for ( $i = 0; $i < 12; $i++ ) {
			$ch = curl_init( self::url( $path, 'shop' ) );
			$lines = array();
			foreach ( $delivery['headers'] as $name => $value ) {
				$lines[] = "$name: $value";
			}
			curl_setopt_array( $ch, array( CURLOPT_POST => true, CURLOPT_POSTFIELDS => $delivery['body'], CURLOPT_HTTPHEADER => $lines, CURLOPT_RETURNTRANSFER => true ) );
			curl_multi_add_handle( $multi, $ch );
			$handles[] = $ch;
		}
		do {
			curl_multi_exec( $multi, $running );
			curl_multi_select( $multi );
		} while ( $running > 0 );
		$codes = array();
		$ids   = array();
		foreach ( $handles as $ch ) {
			$codes[] = curl_getinfo( $ch, CURLINFO_RESPONSE_CODE );
			$ids[]   = json_decode( curl_multi_getcontent( $ch ), true )['id'];
		}
		sort( $codes );
		$this->assertSame( array_merge( array_fill( 0, 11, 200 ), array( 202 ) ), $codes );
		$this->assertCount( 1, array_unique( $ids ) );
		$this->assertSame( 1, self::queued() );
	}

	/**
	 * Delivery-ID is wp_hash($webhook_id . time()): it changes on a re-send
	 * a second later and is shared by different events in the same second.
	 * The key must not follow it.
	 */
	/** @dataProvider paths */
	public function test_woocommerce_resend_is_one_event_and_two_events_in_one_second_are_two( $path ) {
		$t        = time();
		$original = self::post( $path, 'shop', self::woocommerce( self::order( 2001 ), 'order.updated', 7, HOOKGUARD_TEST_WC_SECRET, $t ) );
		$resent   = self::post( $path, 'shop', self::woocommerce( self::order( 2001 ), 'order.updated', 7, HOOKGUARD_TEST_WC_SECRET, $t + 30 ) );
		$this->assertSame( 202, $original['status'] );
		$this->assertSame( 200, $resent['status'], 're-sent with a new Delivery-ID' );
		$this->assertSame( 'duplicate', $resent['json']['status'] );

		// A bulk edit: two orders updated in the same second share the Delivery-ID.
		$a = self::post( $path, 'shop', self::woocommerce( self::order( 2002 ), 'order.updated', 7, HOOKGUARD_TEST_WC_SECRET, $t ) );
		$b = self::post( $path, 'shop', self::woocommerce( self::order( 2003 ), 'order.updated', 7, HOOKGUARD_TEST_WC_SECRET, $t ) );
		$this->assertSame( 202, $a['status'] );
		$this->assertSame( 202, $b['status'], 'a different event with the same Delivery-ID' );

		// The same order changed again later is a new event.
		$later = self::post( $path, 'shop', self::woocommerce( self::order( 2001, 'completed', '2024-05-01T11:00:00' ), 'order.updated', 7, HOOKGUARD_TEST_WC_SECRET, $t ) );
		$this->assertSame( 202, $later['status'] );
		// The webhook id is not signed: the same signed body under another one is the same event.
		$other = self::post( $path, 'shop', self::woocommerce( self::order( 2001 ), 'order.updated', 8, HOOKGUARD_TEST_WC_SECRET, $t ) );
		$this->assertSame( 200, $other['status'] );
		$this->assertSame( 4, self::queued() );
	}

	/**
	 * A "deleted" payload is only {"id": N}: delete, restore, delete again
	 * sends identical bodies. Those are told apart by the Delivery-ID's
	 * second; an immediate repeat (same second) is a duplicate.
	 */
	/** @dataProvider paths */
	public function test_woocommerce_deletions_without_a_stamp_use_the_delivery_second( $path ) {
		$t      = time();
		$first  = self::post( $path, 'shop', self::woocommerce( array( 'id' => 55 ), 'product.deleted', 7, HOOKGUARD_TEST_WC_SECRET, $t ) );
		$repeat = self::post( $path, 'shop', self::woocommerce( array( 'id' => 55 ), 'product.deleted', 7, HOOKGUARD_TEST_WC_SECRET, $t ) );
		$again  = self::post( $path, 'shop', self::woocommerce( array( 'id' => 55 ), 'product.deleted', 7, HOOKGUARD_TEST_WC_SECRET, $t + 60 ) );
		$this->assertSame( array( 202, 200, 202 ), array( $first['status'], $repeat['status'], $again['status'] ) );
	}

	/** @dataProvider paths */
	public function test_a_woocommerce_ping_is_exactly_200_and_queues_nothing( $path ) {
		$r = self::http( 'POST', self::url( $path, 'shop' ), 'webhook_id=7', array( 'Content-Type' => 'application/x-www-form-urlencoded', 'User-Agent' => 'WooCommerce/7.9.0 Hookshot (WordPress/6.1.1)' ) );
		$this->assertSame( 200, $r['status'] );
		$this->assertSame( 0, self::queued() );
		// Only an unsigned "webhook_id=N" is a ping: anything else unsigned is rejected.
		$r = self::http( 'POST', self::url( $path, 'shop' ), 'webhook_id=7&x=1', array( 'Content-Type' => 'application/x-www-form-urlencoded' ) );
		$this->assertSame( 400, $r['status'] );
	}

	/** @dataProvider paths */
	public function test_a_missing_or_malformed_signature_is_400( $path ) {
		$delivery = self::woocommerce( self::order( 3001 ) );
		unset( $delivery['headers']['X-WC-Webhook-Signature'] );
		$r = self::post( $path, 'shop', $delivery, array( 'X-Forwarded-For' => self::client_ip() ) );
		$this->assertSame( 400, $r['status'] );
		$this->assertSame( 'missing_signature', $r['json']['error'] );

		$r = self::post( $path, 'shop', $delivery, array( 'X-WC-Webhook-Signature' => 'not base64 at all!', 'X-Forwarded-For' => self::client_ip() ) );
		$this->assertSame( 400, $r['status'] );
		$this->assertSame( 'malformed_signature', $r['json']['error'] );

		$r = self::post( $path, 'relay', self::relay( array( 'event' => 'x' ), 'evt-1' ), array( 'X-WP-Timestamp' => 'yesterday', 'X-Forwarded-For' => self::client_ip() ) );
		$this->assertSame( 400, $r['status'] );
		$this->assertSame( 'malformed_timestamp', $r['json']['error'] );
		$this->assertSame( 0, self::queued() );
	}

	/** @dataProvider paths */
	public function test_a_bad_signature_is_401_and_reveals_nothing( $path ) {
		$delivery = self::woocommerce( self::order( 3002 ), 'order.created', 7, 'the wrong secret' );
		$expected = self::woocommerce( self::order( 3002 ) )['headers']['X-WC-Webhook-Signature'];
		$r        = self::post( $path, 'shop', $delivery, array( 'X-Forwarded-For' => self::client_ip() ) );
		$this->assertSame( 401, $r['status'] );
		$this->assertSame( 'signature_mismatch', $r['json']['error'] );
		$this->assertSame( array( 'error', 'message' ), array_keys( $r['json'] ) );
		$this->assertStringNotContainsString( $expected, $r['body'] );
		$this->assertStringNotContainsString( substr( $expected, 0, 8 ), $r['body'] );
		$this->assertStringNotContainsString( 'secret', $r['body'] );

		// Signed, then altered in transit.
		$tampered         = self::woocommerce( self::order( 3003 ) );
		$tampered['body'] = str_replace( '42.50', '0.01', $tampered['body'] );
		$r                = self::post( $path, 'shop', $tampered, array( 'X-Forwarded-For' => self::client_ip() ) );
		$this->assertSame( 401, $r['status'] );
		$this->assertSame( 0, self::queued() );
	}

	/** @dataProvider paths */
	public function test_a_timestamp_outside_the_tolerance_is_401( $path ) {
		$old = self::post( $path, 'relay', self::relay( array( 'event' => 'a' ), 'evt-old', HOOKGUARD_TEST_RELAY_NEW, time() - 301 - 5 ), array( 'X-Forwarded-For' => self::client_ip() ) );
		$this->assertSame( 401, $old['status'] );
		$this->assertSame( 'timestamp_too_old', $old['json']['error'] );
		$future = self::post( $path, 'relay', self::relay( array( 'event' => 'a' ), 'evt-new', HOOKGUARD_TEST_RELAY_NEW, time() + 400 ), array( 'X-Forwarded-For' => self::client_ip() ) );
		$this->assertSame( 401, $future['status'] );
		$this->assertSame( 'timestamp_in_future', $future['json']['error'] );
	}

	/** @dataProvider paths */
	public function test_either_secret_is_accepted_during_a_rotation( $path ) {
		$new = self::post( $path, 'relay', self::relay( array( 'event' => 'a' ), 'evt-rot-1-' . $path, HOOKGUARD_TEST_RELAY_NEW ) );
		$old = self::post( $path, 'relay', self::relay( array( 'event' => 'a' ), 'evt-rot-2-' . $path, HOOKGUARD_TEST_RELAY_OLD ) );
		$this->assertSame( array( 202, 202 ), array( $new['status'], $old['status'] ) );
	}

	/** @dataProvider paths */
	public function test_a_body_over_the_source_limit_is_413( $path ) {
		$body = str_repeat( 'x', 65 );
		$r    = self::post( $path, 'small', self::hmac( $body ), array( 'X-Forwarded-For' => self::client_ip() ) );
		$this->assertSame( 413, $r['status'] );
		$this->assertSame( 'body_too_large', $r['json']['error'] );
		$this->assertSame( 202, self::post( $path, 'small', self::hmac( str_repeat( 'x', 64 ) ) )['status'] );
	}

	/** @dataProvider paths */
	public function test_a_json_source_with_a_non_json_body_is_400( $path ) {
		$delivery = self::woocommerce( array() );
		$delivery['body'] = 'order=1&status=paid';
		$delivery['headers']['X-WC-Webhook-Signature'] = base64_encode( hash_hmac( 'sha256', $delivery['body'], wp_specialchars_decode( HOOKGUARD_TEST_WC_SECRET, ENT_QUOTES ), true ) );
		$r = self::post( $path, 'shop', $delivery );
		$this->assertSame( 400, $r['status'] );
		$this->assertSame( 'invalid_json', $r['json']['error'] );
		$this->assertSame( 0, self::queued() );
	}

	/** @dataProvider paths */
	public function test_a_topic_the_source_does_not_accept_is_200_ignored( $path ) {
		$r = self::post( $path, 'shop-orders', self::woocommerce( array( 'id' => 9, 'date_modified_gmt' => 'x' ), 'product.updated' ) );
		$this->assertSame( 200, $r['status'], 'never a 4xx: WooCommerce would count it as a failure' );
		$this->assertSame( 'ignored', $r['json']['status'] );
		$this->assertSame( 202, self::post( $path, 'shop-orders', self::woocommerce( self::order( 9 ), 'order.updated' ) )['status'] );
		$this->assertSame( 1, self::queued() );
	}

	/** @dataProvider paths */
	public function test_each_scheme_has_its_idempotency_key( $path ) {
		// wp-relay: X-Event-Id (a re-send may even be re-signed at another time).
		$this->assertSame( 202, self::post( $path, 'relay', self::relay( array( 'event' => 'a' ), 'evt-idem-' . $path ) )['status'] );
		$this->assertSame( 200, self::post( $path, 'relay', self::relay( array( 'event' => 'a' ), 'evt-idem-' . $path, HOOKGUARD_TEST_RELAY_NEW, time() - 20 ) )['status'] );

		// Stripe: the event's "id".
		foreach ( array( 202, 200 ) as $i => $expected ) {
			$body = wp_json_encode( array( 'id' => 'evt_1', 'type' => 'charge.succeeded', 'attempt' => $i ) );
			$t    = time();
			$r    = self::http( 'POST', self::url( $path, 'stripe' ), $body, array( 'Content-Type' => 'application/json', 'Stripe-Signature' => "t=$t,v1=" . hash_hmac( 'sha256', "$t.$body", HOOKGUARD_TEST_STRIPE ) ) );
			$this->assertSame( $expected, $r['status'], $r['body'] );
		}

		// Standard Webhooks: webhook-id.
		$key = base64_decode( substr( HOOKGUARD_TEST_SW_SECRET, 6 ) );
		foreach ( array( 202, 200 ) as $expected ) {
			$body = '{"type":"invoice.paid"}';
			$t    = time();
			$r    = self::http( 'POST', self::url( $path, 'sw' ), $body, array( 'Content-Type' => 'application/json', 'webhook-id' => 'msg_2', 'webhook-timestamp' => (string) $t, 'webhook-signature' => 'v1,' . base64_encode( hash_hmac( 'sha256', "msg_2.$t.$body", $key, true ) ) ) );
			$this->assertSame( $expected, $r['status'], $r['body'] );
		}

		// Order sync: order_ref, as its receivers treat it.
		foreach ( array( 202, 200 ) as $i => $expected ) {
			$body = wp_json_encode( array( 'shop_url' => 'https://shop.example', 'order_ref' => 'wc-10421', 'amount' => '10.00', 'currency' => 'EUR', 'customer_email' => 'a@b.example', 'sent' => $i ) );
			$r    = self::http( 'POST', self::url( $path, 'orders' ), $body, array( 'Content-Type' => 'application/json', 'X-Woo-Signature' => 'sha256=' . hash_hmac( 'sha256', $body, HOOKGUARD_TEST_ORDER_SECRET ) ) );
			$this->assertSame( $expected, $r['status'], $r['body'] );
		}
	}

	/**
	 * The queue table cannot take a verified delivery: it is spooled and
	 * acknowledged 202; the next delivery, once the table is back, moves it
	 * into the queue, exactly once.
	 */
	/** @dataProvider paths */
	public function test_a_delivery_the_database_cannot_take_is_spooled_then_queued_once( $path ) {
		global $wpdb;
		$table    = self::store()->table();
		$delivery = self::woocommerce( self::order( 4001 ) );
		$wpdb->query( "RENAME TABLE $table TO {$table}_away" );
		try {
			$r     = self::post( $path, 'shop', $delivery );
			$again = self::post( $path, 'shop', $delivery );
		} finally {
			$wpdb->query( "RENAME TABLE {$table}_away TO $table" );
		}
		$this->assertSame( array( 202, 202 ), array( $r['status'], $again['status'] ), $r['body'] );
		$this->assertSame( array( 'status' => 'queued', 'spooled' => true ), $r['json'] );
		$this->assertCount( 2, self::spool()->records() );
		$this->assertSame( 0, self::queued() );

		$next = self::post( $path, 'shop', self::woocommerce( self::order( 4002 ) ) );
		$this->assertSame( 202, $next['status'] );
		$moved = self::poll(
			static function () {
				return count( self::spool()->records() );
			},
			static function ( $left ) {
				return 0 === $left;
			}
		);
		$this->assertSame( 0, $moved, 'the spool was replayed after the next delivery' );
		$this->assertSame( 2, self::queued(), 'the spooled delivery (sent twice) once, and the next one' );
		$this->assertSame( 200, self::post( $path, 'shop', $delivery )['status'], 'now a duplicate' );
	}

	/** Only when neither the database nor the spool can take a delivery: 503 with Retry-After. */
	/** @dataProvider paths */
	public function test_503_when_neither_the_database_nor_the_spool_can_take_it( $path ) {
		global $wpdb;
		$table = self::store()->table();
		$dir   = self::spool()->dir();
		rename( $dir, "$dir.away" );
		file_put_contents( $dir, 'not a directory' );
		$wpdb->query( "RENAME TABLE $table TO {$table}_away" );
		try {
			$r = self::post( $path, 'shop', self::woocommerce( self::order( 4101 ) ), array( 'Content-Type' => 'application/json' ) );
		} finally {
			$wpdb->query( "RENAME TABLE {$table}_away TO $table" );
			unlink( $dir );
			rename( "$dir.away", $dir );
		}
		$this->assertSame( 503, $r['status'] );
		$this->assertSame( 'store_unavailable', $r['json']['error'] );
		$this->assertSame( '30', $r['headers']['retry-after'] );
		$this->assertSame( 202, self::post( $path, 'shop', self::woocommerce( self::order( 4101 ) ) )['status'], 'accepted once the table is back' );
	}

	/**
	 * Forged requests spend their client IP's budget; past it they get 429
	 * with Retry-After. A verified WooCommerce delivery from that same IP is
	 * still accepted: WooCommerce never re-sends, so a 429 would lose it.
	 */
	/** @dataProvider paths */
	public function test_forged_requests_past_the_per_ip_limit_get_429_but_a_verified_delivery_never_does( $path ) {
		self::require_limiter();
		$ip     = self::client_ip();
		$forged = self::woocommerce( self::order( 5001 ), 'order.created', 7, 'forged' );
		$codes  = array();
		for ( $i = 0; $i < 5; $i++ ) {
			$r       = self::post( $path, 'strict', $forged, array( 'X-Forwarded-For' => $ip ) );
			$codes[] = $r['status'];
		}
		$this->assertSame( array( 401, 401, 401, 429, 429 ), $codes );
		$this->assertSame( 'rate_limited', $r['json']['error'] );
		$this->assertMatchesRegularExpression( '/^[1-9][0-9]*$/', $r['headers']['retry-after'] );
		$this->assertLessThanOrEqual( 60, (int) $r['headers']['retry-after'] );

		$this->assertSame( 202, self::post( $path, 'strict', self::woocommerce( self::order( 5002 ) ), array( 'X-Forwarded-For' => $ip ) )['status'] );
		$this->assertSame( 401, self::post( $path, 'strict', $forged, array( 'X-Forwarded-For' => self::client_ip() ) )['status'], 'another IP has its own budget' );
	}

	/** The verified-delivery limit applies to senders that retry (wp-relay), shared by both paths. */
	public function test_a_retrying_sender_past_its_verified_limit_gets_429() {
		self::require_limiter();
		$codes = array();
		foreach ( array( 'fast', 'rest', 'fast', 'rest', 'fast' ) as $i => $path ) {
			$codes[] = self::post( $path, 'relay-limited', self::relay( array( 'event' => 'a' ), 'evt-limit-' . $i ) )['status'];
		}
		$this->assertSame( array( 202, 202, 202, 429, 429 ), $codes );
	}

	private static function require_limiter() {
		if ( ! function_exists( 'hookguard_rate_limit' ) ) {
			self::markTestSkipped( 'the extension has no hookguard_rate_limit() yet (issue #3)' );
		}
	}

	/** @dataProvider paths */
	public function test_a_source_without_a_usable_secret_is_500( $path ) {
		$stored = Source_Registry::admin_stored();
		update_option(
			Source_Registry::ADMIN_OPTION,
			$stored + array(
				'broken' => array(
					'name'    => 'broken',
					'scheme'  => 'woocommerce',
					'secrets' => array( 'hg1:c2VhbGVkIHVuZGVyIGFub3RoZXIga2V5IGxvbmcgZW5vdWdoIHRvIGJlIG9wZW5lZA==' ),
					'options' => array(),
					'json'    => true,
				),
			)
		);
		Source_Registry::compile();
		try {
			// The fast path refreshes for a source it does not know: at once, or within a
			// second when this configuration was just re-checked (forged requests before).
			$r = self::poll(
				static function () use ( $path ) {
					return self::post( $path, 'broken', self::woocommerce( self::order( 6001 ) ), array( 'X-Forwarded-For' => self::client_ip() ) );
				},
				static function ( $r ) {
					return 404 !== $r['status'];
				}
			);
		} finally {
			update_option( Source_Registry::ADMIN_OPTION, $stored );
			Source_Registry::compile();
		}
		$this->assertSame( 500, $r['status'] );
		$this->assertSame( 'source_misconfigured', $r['json']['error'] );
	}

	/**
	 * A captured delivery replayed with altered unsigned headers (WooCommerce
	 * signs only the body, wp-relay the timestamp and body, GitHub the body)
	 * is the same event: nothing new is queued, nothing is misrouted.
	 */
	/** @dataProvider paths */
	public function test_a_replay_with_altered_unsigned_headers_creates_nothing( $path ) {
		$original = self::woocommerce( self::order( 8001 ) );
		$first    = self::post( $path, 'shop', $original );
		$this->assertSame( 202, $first['status'] );
		$altered = array(
			array( 'X-WC-Webhook-ID' => '99' ),
			array( 'X-WC-Webhook-Delivery-ID' => md5( 'forged' ) ),
			array( 'X-WC-Webhook-Topic' => 'product.deleted', 'X-WC-Webhook-Resource' => 'product', 'X-WC-Webhook-Event' => 'deleted' ),
		);
		foreach ( $altered as $headers ) {
			$r = self::post( $path, 'shop', $original, $headers );
			$this->assertSame( array( 200, 'duplicate', $first['json']['id'] ), array( $r['status'], $r['json']['status'], $r['json']['id'] ), json_encode( $headers ) );
		}
		$this->assertSame( 'order.created', self::row( $first['json']['id'] )->topic );

		// A source bound to one topic takes no other, whatever the header says.
		$this->assertSame( 202, self::post( $path, 'shop-bound', self::woocommerce( self::order( 8002 ) ) )['status'] );
		$r = self::post( $path, 'shop-bound', self::woocommerce( self::order( 8003 ) ), array( 'X-WC-Webhook-Topic' => 'order.deleted' ) );
		$this->assertSame( array( 200, 'ignored' ), array( $r['status'], $r['json']['status'] ) );

		// wp-relay: the event id is the signed body's, not the header's.
		$relay = self::relay( array( 'event' => 'order.created' ), 'evt-replay-' . $path );
		$this->assertSame( 202, self::post( $path, 'relay', $relay )['status'] );
		$this->assertSame( 200, self::post( $path, 'relay', $relay, array( 'X-Event-Id' => 'evt-other-' . $path ) )['status'] );

		// GitHub: the delivery GUID and event name are not signed either.
		$body = '{"action":"opened","number":' . ( 'fast' === $path ? 1 : 2 ) . '}';
		$gh   = array(
			'body'    => $body,
			'headers' => array(
				'Content-Type'        => 'application/json',
				'X-GitHub-Event'      => 'pull_request',
				'X-GitHub-Delivery'   => wp_generate_uuid4(),
				'X-Hub-Signature-256' => 'sha256=' . hash_hmac( 'sha256', $body, HOOKGUARD_TEST_HMAC_SECRET ),
			),
		);
		$this->assertSame( 202, self::post( $path, 'gh', $gh )['status'] );
		$this->assertSame( 200, self::post( $path, 'gh', $gh, array( 'X-GitHub-Delivery' => wp_generate_uuid4(), 'X-GitHub-Event' => 'push' ) )['status'] );
		$this->assertSame( 4, self::queued() );
	}

	/** An IPv6 client is counted as its /64: rotating addresses inside it buys no more attempts. */
	/** @dataProvider paths */
	public function test_an_ipv6_client_is_counted_per_64( $path ) {
		$net    = sprintf( '2001:db8:%x:%x', random_int( 1, 0xffff ), random_int( 1, 0xffff ) );
		$forged = self::woocommerce( self::order( 8101 ), 'order.created', 7, 'forged' );
		$codes  = array();
		foreach ( array( '::1', '::2', '::abcd', ':ffff:ffff:ffff:ffff' ) as $host ) {
			$codes[] = self::post( $path, 'strict', $forged, array( 'X-Forwarded-For' => $net . $host ) )['status'];
		}
		$this->assertSame( array( 401, 401, 401, 429 ), $codes );
		$this->assertSame( 401, self::post( $path, 'strict', $forged, array( 'X-Forwarded-For' => sprintf( '2001:db8:%x::1', random_int( 1, 0xffff ) ) ) )['status'], 'another /64' );
	}

	/** A custom scheme's own signature header (here X-Sig) is never stored with the delivery. */
	/** @dataProvider paths */
	public function test_a_custom_schemes_signature_header_is_not_stored( $path ) {
		$r = self::post( $path, 'qa', self::hmac( '{"n":' . ( 'fast' === $path ? 1 : 2 ) . '}' ), array( 'X-Trace' => 'kept' ) );
		$this->assertSame( 202, $r['status'] );
		$headers = json_decode( self::row( $r['json']['id'] )->headers, true );
		$this->assertArrayNotHasKey( 'x-sig', $headers );
		$this->assertSame( 'kept', $headers['x-trace'] );
	}

	/** The source name in the URL is decoded exactly once, on both paths: %2573tripe is "%73tripe", not "stripe". */
	public function test_the_source_name_is_url_decoded_once() {
		$base = getenv( 'HG_WP_URL' );
		$body = wp_json_encode( array( 'id' => 'evt_decode', 'type' => 'charge.succeeded' ) );
		$sign = static function () use ( $body ) {
			$t = time();
			return array( 'Content-Type' => 'application/json', 'Stripe-Signature' => "t=$t,v1=" . hash_hmac( 'sha256', "$t.$body", HOOKGUARD_TEST_STRIPE ) );
		};
		foreach ( array( '/wp-json/hookguard/v1/receive/', '/index.php?rest_route=/hookguard/v1/receive/' ) as $prefix ) {
			$this->assertSame( 404, self::http( 'POST', $base . $prefix . '%2573tripe', $body, $sign() )['status'], $prefix );
			$this->assertContains( self::http( 'POST', $base . $prefix . '%73tripe', $body, $sign() )['status'], array( 200, 202 ), $prefix );
		}
		$this->assertSame( 1, self::queued() );
	}

	/** A body without Content-Length (chunked) is read no further than the source's limit. */
	/** @dataProvider paths */
	public function test_a_chunked_body_over_the_limit_is_413( $path ) {
		$r = self::post( $path, 'small', self::hmac( str_repeat( 'x', 1500000 ) ), array( 'Transfer-Encoding' => 'chunked', 'X-Forwarded-For' => self::client_ip() ) );
		$this->assertSame( 413, $r['status'] );
		$this->assertSame( 'body_too_large', $r['json']['error'] );
	}

	/** The drain route takes only a current token. */
	public function test_the_drain_route_refuses_missing_forged_and_expired_tokens() {
		$url = getenv( 'HG_WP_URL' ) . '/index.php?rest_route=/hookguard/v1/drain';
		$key = \HookGuard\Kicker::key();
		foreach ( array( '', 'garbage', \HookGuard\Kicker::token( $key, time() - 3 * \HookGuard\Kicker::WINDOW ), \HookGuard\Kicker::token( 'not the key' ) ) as $token ) {
			$r = self::http( 'POST', $url, '', '' === $token ? array() : array( \HookGuard\Kicker::HEADER => $token ) );
			$this->assertContains( $r['status'], array( 401, 403 ), $token );
		}
	}

	/**
	 * Without the extension the plugin runs on its PHP implementation
	 * (php/compat): the same answers, a notice and Site Health saying which
	 * implementation runs and what the native one would add.
	 */
	public function test_without_the_extension_the_plugin_runs_on_its_php_implementation() {
		$code = '
			$_SERVER["HTTP_HOST"] = "127.0.0.1"; $_SERVER["REQUEST_URI"] = "/";
			require getenv("HG_WP_DIR") . "/wp-load.php";
			wp_set_current_user(1);
			ob_start(); HookGuard\Plugin::extension_notice(); $notice = ob_get_clean();
			$req = new WP_REST_Request("POST", "/hookguard/v1/receive/shop");
			$req->set_body("{}");
			$req->set_header("content-type", "application/json");
			$res = rest_do_request($req);
			$health = HookGuard\Site_Health::test();
			echo json_encode(array(extension_loaded("hookguard"), HOOKGUARD_IMPLEMENTATION, $res->get_status(), $res->get_data()["error"], $notice, $health["status"], $health["description"]));';
		// Without php.ini (where a system-wide install would load hookguard), with every other extension this PHP has.
		$command = array( PHP_BINARY, '-n' );
		$first   = array( 'mysqlnd', 'pdo', 'xml' );
		$others  = array_diff( array_map( 'strtolower', get_loaded_extensions() ), $first, array( 'hookguard' ) );
		foreach ( array_merge( $first, $others ) as $extension ) {
			if ( is_file( ini_get( 'extension_dir' ) . "/$extension.so" ) ) {
				array_push( $command, '-d', "extension=$extension" );
			}
		}
		array_push( $command, '-r', $code );
		list( $status, $out, $err ) = self::run_process( $command );
		$this->assertSame( 0, $status, $err );
		list( $loaded, $implementation, $status, $error, $notice, $health, $description ) = json_decode( $out, true );
		$this->assertFalse( $loaded );
		$this->assertSame( 'php', $implementation );
		$this->assertSame( 400, $status, 'answered as the extension would' );
		$this->assertSame( 'missing_signature', $error );
		$this->assertStringContainsString( 'notice-info', $notice );
		$this->assertStringContainsString( 'PHP implementation', $notice );
		$this->assertSame( 'recommended', $health );
		$this->assertStringContainsString( 'exact across every PHP worker', $description );
	}
}
