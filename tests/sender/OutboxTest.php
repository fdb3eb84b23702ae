<?php
/**
 * The outbox against the fault receiver: what is retried and when, what
 * fails at once, exactly one delivery per event, stable event ids, fresh
 * timestamps, signatures the receiver verifies on its own; the built-in
 * WordPress events; no HTTP request inside the request that raised one.
 */

namespace HookGuard\Tests;

use HookGuard\Outbox;

final class OutboxTest extends SenderTestCase {

	/** Seconds a retry may come late: the sender polls every 20 ms here, plus the request itself. */
	const SLACK = 0.4;

	private static function emit( $event = 'test.retry', array $data = array( 'n' => 1 ), array $options = array() ) {
		$id = hookguard_emit( $event, $data, $options );
		self::assertIsString( $id );
		return $id;
	}

	private static function assert_gap( $expected, $from, $to ) {
		$gap = $to['time'] - $from['time'];
		self::assertGreaterThanOrEqual( $expected * 0.9 - 0.01, $gap, "gap before the retry (expected $expected s ±10 %)" );
		self::assertLessThanOrEqual( $expected * 1.1 + self::SLACK, $gap, "gap before the retry (expected $expected s ±10 %)" );
	}

	public function test_500_twice_then_200_is_retried_on_schedule_and_delivered_once_with_a_stable_id_and_fresh_timestamps() {
		self::destinations( array( 'flaky' => self::relay_destination( '/flaky' ) ) );
		self::script( '/flaky', 'wp-relay', self::RELAY_SECRET, array( array( 'status' => 500 ), array( 'status' => 503 ) ) );
		$event_id = self::emit();
		$rows     = self::send_until_settled( $event_id );

		$this->assertCount( 1, $rows );
		$this->assertSame( 'delivered', $rows[0]['status'] );
		$this->assertSame( '3', $rows[0]['attempts'] );
		$this->assertSame( '200', $rows[0]['last_status'] );
		$got = self::received( '/flaky' );
		$this->assertCount( 3, $got, 'three attempts, the last one delivered: exactly one 2xx' );
		foreach ( $got as $entry ) {
			$this->assertTrue( $entry['verified'], 'the receiver verified every attempt on its own' );
			$this->assertSame( $event_id, self::header( $entry, 'X-Event-Id' ) );
			$this->assertSame( $event_id, json_decode( $entry['body'], true )['event_id'] );
			$this->assertSame( $rows[0]['payload'], $entry['body'], 'the stored bytes are what is sent' );
			// Fresh: each attempt is signed when it is sent.
			$this->assertEqualsWithDelta( $entry['time'], (int) self::header( $entry, 'X-WP-Timestamp' ), 1.5 );
		}
		$this->assertNotSame( self::header( $got[0], 'X-WP-Timestamp' ), self::header( $got[2], 'X-WP-Timestamp' ), 'a later attempt carries a later timestamp' );
		self::assert_gap( 1, $got[0], $got[1] );
		self::assert_gap( 2, $got[1], $got[2] );
	}

	public function test_429_waits_for_retry_after_and_longer_than_the_schedule() {
		self::destinations( array( 'busy' => self::relay_destination( '/busy', array( 'backoff' => 0.5 ) ) ) );
		self::script( '/busy', 'wp-relay', self::RELAY_SECRET, array( array( 'status' => 429, 'retry_after' => '2' ) ) );
		$rows = self::send_until_settled( self::emit() );
		$this->assertSame( 'delivered', $rows[0]['status'] );
		$got = self::received( '/busy' );
		$this->assertCount( 2, $got );
		$gap = $got[1]['time'] - $got[0]['time'];
		$this->assertGreaterThanOrEqual( 1.99, $gap, 'Retry-After: 2 is honoured over the 0.5 s schedule' );
		$this->assertLessThanOrEqual( 2 + self::SLACK, $gap );
	}

	public function test_an_answer_slower_than_the_timeout_is_retried() {
		self::destinations( array( 'slow' => self::relay_destination( '/slow', array( 'timeout' => 0.5 ) ) ) );
		self::script( '/slow', 'wp-relay', self::RELAY_SECRET, array( array( 'sleep' => 1.5 ) ) );
		$event_id = self::emit();
		Outbox::drain();
		$row = self::rows_of( $event_id )[0];
		$this->assertSame( 'pending', $row['status'] );
		$this->assertStringStartsWith( 'timed out', $row['last_error'] );
		$this->assertNull( $row['last_status'] );
		$rows = self::send_until_settled( $event_id );
		$this->assertSame( 'delivered', $rows[0]['status'] );
		$this->assertSame( '2', $rows[0]['attempts'] );
	}

	public function test_a_receiver_that_drops_the_connection_or_is_not_listening_is_retried() {
		self::destinations(
			array(
				'drops' => self::relay_destination( '/drops' ),
				'gone'  => self::relay_destination( '/', array( 'url' => 'http://127.0.0.1:9/nothing-listens' ) ),
			)
		);
		self::script( '/drops', 'wp-relay', self::RELAY_SECRET, array( array( 'close' => true ) ) );
		$event_id = self::emit();
		Outbox::drain();
		$rows = array_column( self::rows_of( $event_id ), null, 'destination' );
		$this->assertSame( 'pending', $rows['drops']['status'] );
		$this->assertStringStartsWith( 'unreachable', $rows['drops']['last_error'] );
		$this->assertSame( 'pending', $rows['gone']['status'] );
		$this->assertStringStartsWith( 'unreachable', $rows['gone']['last_error'] );
		$this->assertSame( $rows['drops']['event_id'], $rows['gone']['event_id'], 'one event, one id, a row per destination' );
		$rows = array_column( self::send_until_settled( $event_id, 3 ), null, 'destination' );
		$this->assertSame( 'delivered', $rows['drops']['status'] );
		$this->assertCount( 2, self::received( '/drops' ) );
	}

	public function test_422_fails_at_once_keeping_the_status_and_an_excerpt() {
		self::destinations( array( 'strict' => self::relay_destination( '/strict' ) ) );
		self::script( '/strict', 'wp-relay', self::RELAY_SECRET, array( array( 'status' => 422, 'body' => '{"error":"cart must not be empty"}' ) ) );
		$rows = self::send_until_settled( self::emit() );
		$this->assertSame( 'failed', $rows[0]['status'] );
		$this->assertSame( '1', $rows[0]['attempts'] );
		$this->assertSame( '422', $rows[0]['last_status'] );
		$this->assertStringContainsString( 'cart must not be empty', $rows[0]['last_error'] );
		$this->assertCount( 1, self::received( '/strict' ) );
	}

	public function test_a_redirect_is_not_followed_and_fails() {
		self::destinations( array( 'moved' => self::relay_destination( '/moved' ) ) );
		self::script( '/moved', 'wp-relay', self::RELAY_SECRET, array( array( 'status' => 301, 'location' => '/elsewhere' ) ) );
		$rows = self::send_until_settled( self::emit() );
		$this->assertSame( 'failed', $rows[0]['status'] );
		$this->assertSame( '301', $rows[0]['last_status'] );
		$this->assertStringContainsString( 'redirect not followed to /elsewhere', $rows[0]['last_error'] );
		$this->assertCount( 1, self::received( '/moved' ) );
		$this->assertCount( 0, self::received( '/elsewhere' ) );
	}

	public function test_the_last_attempt_fails_for_good_and_replay_sends_it_again() {
		self::destinations( array( 'down' => self::relay_destination( '/down', array( 'max_attempts' => 2, 'backoff' => 0.2 ) ) ) );
		self::script( '/down', 'wp-relay', self::RELAY_SECRET, array( array( 'status' => 500 ), array( 'status' => 502 ) ) );
		$event_id = self::emit();
		$rows     = self::send_until_settled( $event_id );
		$this->assertSame( 'failed', $rows[0]['status'] );
		$this->assertStringStartsWith( 'Gave up after 2 attempts; the last: HTTP 502', $rows[0]['last_error'] );
		$this->assertSame( 1, Outbox::store()->replay( array( (int) $rows[0]['id'] ) ) );
		$rows = self::send_until_settled( $event_id );
		$this->assertSame( 'delivered', $rows[0]['status'] );
		$got = self::received( '/down' );
		$this->assertCount( 3, $got );
		$this->assertSame( $event_id, self::header( $got[2], 'X-Event-Id' ), 'a replay keeps the event id' );
	}

	public function test_an_event_is_stored_once_per_dedupe_key_and_destination() {
		self::destinations(
			array(
				'one' => self::relay_destination( '/one' ),
				'two' => self::relay_destination( '/two', array( 'events' => array( 'other.*' ) ) ),
			)
		);
		$first  = self::emit( 'test.once', array( 'order' => 7 ), array( 'dedupe' => 'order-7' ) );
		$second = hookguard_emit( 'test.once', array( 'order' => 7 ), array( 'dedupe' => 'order-7' ) );
		$this->assertCount( 1, self::rows_of( $first ) );
		$this->assertCount( 0, self::rows_of( $second ), 'the second raise of the same event stored nothing' );
		$this->assertSame( 'one', self::rows_of( $first )[0]['destination'], 'only destinations that get the event' );
		$this->assertNull( hookguard_emit( 'nobody.wants.this', array() ) );
		self::send_until_settled( $first );
		$this->assertCount( 1, self::received( '/one' ) );
	}

	public function test_the_payload_filter_changes_or_drops_a_payload_per_destination() {
		self::destinations( array( 'filtered' => self::relay_destination( '/filtered' ), 'dropped' => self::relay_destination( '/dropped' ) ) );
		$filter = static function ( $payload, $event, $destination ) {
			if ( 'dropped' === $destination ) {
				return false;
			}
			$payload['data']['added'] = $event;
			return $payload;
		};
		add_filter( 'hookguard_event_payload', $filter, 10, 3 );
		$event_id = self::emit( 'test.filter' );
		remove_filter( 'hookguard_event_payload', $filter, 10 );
		$rows = self::rows_of( $event_id );
		$this->assertCount( 1, $rows );
		$this->assertSame( 'test.filter', json_decode( $rows[0]['payload'], true )['data']['added'] );
	}

	public function test_seed_formats_are_signed_so_that_an_independent_verifier_accepts_them() {
		$key = 'whsec_' . base64_encode( random_bytes( 24 ) );
		self::destinations(
			array(
				'sync'     => array( 'url' => getenv( 'HG_FAULT_URL' ) . '/sync', 'scheme' => 'woo-order-sync', 'secret' => self::SYNC_SECRET, 'events' => array( 'test.formats' ) ),
				'standard' => array( 'url' => getenv( 'HG_FAULT_URL' ) . '/standard', 'scheme' => 'standard-webhooks', 'secret' => $key, 'events' => array( 'test.formats' ) ),
				'wc'       => array( 'url' => getenv( 'HG_FAULT_URL' ) . '/wc', 'scheme' => 'woocommerce', 'secret' => 'wc secret & "quotes"', 'events' => array( 'test.formats' ) ),
			)
		);
		self::script( '/sync', 'woo-order-sync', self::SYNC_SECRET, array() );
		self::script( '/standard', 'standard-webhooks', $key, array() );
		self::script( '/wc', 'woocommerce', 'wc secret & "quotes"', array() );
		$event_id = self::emit( 'test.formats' );
		self::send_until_settled( $event_id );
		foreach ( array( '/sync', '/standard', '/wc' ) as $path ) {
			$got = self::received( $path );
			$this->assertCount( 1, $got, $path );
			$this->assertTrue( $got[0]['verified'], "$path: verified by the receiver's own HMAC" );
		}
		$this->assertSame( $event_id, self::header( self::received( '/standard' )[0], 'webhook-id' ) );
	}

	public function test_a_comment_posted_with_a_receiver_taking_10_s_returns_as_fast_as_without_and_sends_nothing_in_the_request() {
		$post_id = wp_insert_post( array( 'post_title' => 'Comments', 'post_status' => 'publish', 'comment_status' => 'open' ) );
		$comment = static function ( $text ) use ( $post_id ) {
			$started  = microtime( true );
			$response = self::http( 'POST', getenv( 'HG_WP_URL' ) . '/wp-comments-post.php', http_build_query( array( 'comment_post_ID' => $post_id, 'author' => 'Jane', 'email' => 'jane@example.com', 'comment' => $text ) ), array( 'Content-Type' => 'application/x-www-form-urlencoded', 'X-Forwarded-For' => self::client_ip() ) );
			self::assertContains( $response['status'], array( 302, 200 ), 'comment accepted' );
			return microtime( true ) - $started;
		};
		$without = $comment( 'First, with no destination ' . wp_generate_password( 8, false ) );

		self::destinations( array( 'slow-receiver' => self::relay_destination( '/ten-seconds', array( 'timeout' => 15 ) ) ) );
		self::script( '/ten-seconds', 'wp-relay', self::RELAY_SECRET, array( array( 'sleep' => 10 ) ) );
		$text = 'Second, with a receiver taking 10 s ' . wp_generate_password( 8, false );
		$with = $comment( $text );

		$this->assertLessThan( $without + 1.0, $with, sprintf( 'with a 10 s receiver %.3f s, without %.3f s', $with, $without ) );
		$this->assertCount( 0, self::received(), 'no request reached any receiver during the comment submission' );
		$rows = Outbox::store()->recent( 5 );
		$this->assertCount( 1, $rows );
		$this->assertSame( 'wordpress.comment.created', $rows[0]['event'] );
		$this->assertSame( '0', $rows[0]['attempts'], 'written, not sent' );
		$payload = json_decode( Outbox::store()->get( (int) $rows[0]['id'] )['payload'], true );
		$this->assertSame( array( 'event', 'event_id', 'site', 'data' ), array_keys( $payload ) );
		$this->assertSame( 'wordpress.comment.created', $payload['event'] );
		$this->assertSame( $rows[0]['event_id'], $payload['event_id'] );
		$this->assertSame( $text, $payload['data']['content'] );
		$this->assertSame( $post_id, $payload['data']['post_id'] );
		$this->assertSame( 'Jane', $payload['data']['author_name'] );
	}

	public function test_a_registered_user_raises_wordpress_user_registered() {
		self::destinations( array( 'users' => self::relay_destination( '/users' ) ) );
		self::script( '/users', 'wp-relay', self::RELAY_SECRET, array() );
		$login   = 'user' . wp_generate_password( 6, false, false );
		$user_id = wp_insert_user( array( 'user_login' => $login, 'user_email' => $login . '@example.com', 'user_pass' => wp_generate_password() ) );
		$rows    = Outbox::store()->recent( 5 );
		$this->assertCount( 1, $rows );
		$this->assertSame( 'wordpress.user.registered', $rows[0]['event'] );
		$data = json_decode( Outbox::store()->get( (int) $rows[0]['id'] )['payload'], true )['data'];
		$this->assertSame( $user_id, $data['id'] );
		$this->assertSame( $login, $data['login'] );
		$this->assertSame( array( get_option( 'default_role' ) ), $data['roles'] );
		self::send_until_settled( $rows[0]['event_id'] );
		$this->assertTrue( self::received( '/users' )[0]['verified'] );
	}

	public function test_misuse_is_a_value_error_naming_the_argument_and_never_quoting_the_secret() {
		$secret = 'do-not-print-me-0123456789';
		$cases  = array(
			array( 'Bad Name', array() ),
			array( 'ok', array( 'url' => 'ftp://x', 'scheme' => 'wp-relay', 'secret' => $secret, 'events' => array( 'a.b' ) ) ),
			array( 'ok', array( 'url' => 'https://user:pw@x/', 'scheme' => 'wp-relay', 'secret' => $secret, 'events' => array( 'a.b' ) ) ),
			array( 'ok', array( 'url' => 'https://x/', 'scheme' => 'nope', 'secret' => $secret, 'events' => array( 'a.b' ) ) ),
			array( 'ok', array( 'url' => 'https://x/', 'scheme' => 'wp-relay', 'secret' => '', 'events' => array( 'a.b' ) ) ),
			array( 'ok', array( 'url' => 'https://x/', 'scheme' => 'wp-relay', 'secret' => $secret, 'events' => array() ) ),
			array( 'ok', array( 'url' => 'https://x/', 'scheme' => 'wp-relay', 'secret' => $secret, 'events' => array( 'a.b' ), 'timeout' => 0 ) ),
			array( 'ok', array( 'url' => 'https://x/', 'scheme' => 'wp-relay', 'secret' => $secret, 'events' => array( 'a.b' ), 'max_attempts' => '3' ) ),
			array( 'ok', array( 'url' => 'https://x/', 'scheme' => 'standard-webhooks', 'secret' => $secret, 'events' => array( 'a.b' ) ) ),
			array( 'ok', array( 'url' => 'https://x/', 'scheme' => 'wp-relay', 'secret' => $secret, 'events' => array( 'a.b' ), 'typo' => 1 ) ),
		);
		foreach ( $cases as list( $name, $args ) ) {
			try {
				hookguard_register_destination( $name, $args );
				$this->fail( 'accepted: ' . json_encode( array_diff_key( $args, array( 'secret' => 1 ) ) ) );
			} catch ( \ValueError | \TypeError $e ) {
				$this->assertMatchesRegularExpression( '/^hookguard_register_destination\(\): Argument #[12] \(\$(name|args)\) /', $e->getMessage() );
				$this->assertStringNotContainsString( $secret, $e->getMessage() );
				$this->assertStringNotContainsString( $secret, $e->getTraceAsString() );
			}
		}
		$this->expectException( \ValueError::class );
		hookguard_emit( 'Not An Event', array() );
	}

	public function test_the_cli_drain_sends_the_outbox_after_the_queue() {
		self::destinations( array( 'cli' => self::relay_destination( '/cli' ) ) );
		self::script( '/cli', 'wp-relay', self::RELAY_SECRET, array() );
		$event_id = self::emit( 'test.cli' );
		$process  = proc_open( self::cli_command( 'drain' ), array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes );
		$out      = stream_get_contents( $pipes[1] );
		$this->assertSame( 0, proc_close( $process ), $out );
		$stats = json_decode( $out, true );
		$this->assertSame( 1, $stats['outbox']['delivered'], $out );
		$this->assertSame( 'delivered', self::rows_of( $event_id )[0]['status'] );
		$this->assertTrue( self::received( '/cli' )[0]['verified'] );
	}

	public function test_a_comment_kicks_the_worker_which_delivers_it_after_the_answer() {
		update_option( \HookGuard\Settings::OPTION, array_merge( \HookGuard\Settings::all(), array( 'kick' => true ) ) );
		self::destinations( array( 'kicked' => self::relay_destination( '/kicked' ) ) );
		self::script( '/kicked', 'wp-relay', self::RELAY_SECRET, array() );
		$post_id  = wp_insert_post( array( 'post_title' => 'Kick', 'post_status' => 'publish', 'comment_status' => 'open' ) );
		$response = self::http( 'POST', getenv( 'HG_WP_URL' ) . '/wp-comments-post.php', http_build_query( array( 'comment_post_ID' => $post_id, 'author' => 'Kim', 'email' => 'kim@example.com', 'comment' => 'kick ' . wp_generate_password( 8, false ) ) ), array( 'Content-Type' => 'application/x-www-form-urlencoded' ) );
		$this->assertContains( $response['status'], array( 302, 200 ) );
		$got = self::poll(
			static function () {
				return self::received( '/kicked' );
			},
			static function ( $got ) {
				return count( $got ) > 0;
			},
			10
		);
		$this->assertCount( 1, $got, 'delivered by the kicked worker, no CLI or cron involved' );
		$this->assertTrue( $got[0]['verified'] );
		$this->assertSame( 'wordpress.comment.created', json_decode( $got[0]['body'], true )['event'] );
		// The kicked worker lingers a few seconds for more work: let it finish before the next test.
		$lock = self::store()->table() . ':kicked-worker';
		$free = self::poll(
			static function () use ( $lock ) {
				return $GLOBALS['wpdb']->get_var( $GLOBALS['wpdb']->prepare( 'SELECT IS_FREE_LOCK(%s)', $lock ) );
			},
			static function ( $free ) {
				return '1' === (string) $free;
			},
			20
		);
		$this->assertSame( '1', (string) $free, 'the kicked worker finished' );
	}

	public function test_two_workers_draining_at_once_deliver_each_event_exactly_once() {
		self::destinations( array( 'busy-shop' => self::relay_destination( '/many' ) ) );
		self::script( '/many', 'wp-relay', self::RELAY_SECRET, array() );
		$ids = array();
		for ( $i = 0; $i < 150; $i++ ) {
			$ids[] = self::emit( 'test.many', array( 'i' => $i ) );
		}
		$workers = array();
		foreach ( array( 1, 2 ) as $n ) {
			$workers[ $n ] = proc_open( self::cli_command( 'drain', array( 'batch' => 10 ) ), array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes[ $n ] );
		}
		$stats = array();
		foreach ( $workers as $n => $process ) {
			$out         = stream_get_contents( $pipes[ $n ][1] );
			$this->assertSame( 0, proc_close( $process ), $out );
			$stats[ $n ] = json_decode( $out, true )['outbox'];
		}
		$this->assertSame( 150, $stats[1]['delivered'] + $stats[2]['delivered'] );
		$this->assertGreaterThan( 0, min( $stats[1]['delivered'], $stats[2]['delivered'] ), 'both workers took part: ' . json_encode( $stats ) );
		$received = array_map(
			static function ( $entry ) {
				return self::header( $entry, 'X-Event-Id' );
			},
			self::received( '/many' )
		);
		sort( $received );
		sort( $ids );
		$this->assertSame( $ids, $received, 'each event exactly once' );
	}

	public function test_a_claim_whose_worker_died_is_taken_back_after_the_lease() {
		self::destinations( array( 'after-crash' => self::relay_destination( '/after-crash' ) ) );
		self::script( '/after-crash', 'wp-relay', self::RELAY_SECRET, array() );
		$event_id = self::emit();
		$this->assertCount( 1, Outbox::store()->claim( str_repeat( 'd', 32 ), 10 ), 'a worker claims the row, then dies' );
		$this->assertSame( 0, Outbox::drain( array( 'lease' => 2 ) )['delivered'], 'not while the lease runs' );
		$GLOBALS['wpdb']->query( 'UPDATE ' . Outbox::store()->table() . ' SET locked_at = UTC_TIMESTAMP(3) - INTERVAL 3 SECOND' );
		$stats = Outbox::drain( array( 'lease' => 2 ) );
		$this->assertSame( 1, $stats['reclaimed'] );
		$this->assertSame( 1, $stats['delivered'] );
		$row = self::rows_of( $event_id )[0];
		$this->assertSame( '2', $row['attempts'], 'the dead worker\'s attempt counts' );
		$this->assertCount( 1, self::received( '/after-crash' ) );
	}

	public function test_a_worker_out_of_time_gives_the_rest_of_its_batch_back_untried() {
		self::destinations( array( 'slowish' => self::relay_destination( '/slowish', array( 'timeout' => 3 ) ) ) );
		self::script( '/slowish', 'wp-relay', self::RELAY_SECRET, array( array( 'sleep' => 0.6 ), array( 'sleep' => 0.6 ), array( 'sleep' => 0.6 ) ) );
		$ids = array( self::emit( 'test.a' ), self::emit( 'test.b' ), self::emit( 'test.c' ) );
		$stats = Outbox::drain( array( 'time_limit' => 0.3 ) );
		$this->assertSame( array( 1, 2 ), array( $stats['delivered'], $stats['released'] ), json_encode( $stats ) );
		$rest = array_merge( self::rows_of( $ids[1] ), self::rows_of( $ids[2] ) );
		$this->assertSame( array( 'pending', 'pending' ), array_column( $rest, 'status' ) );
		$this->assertSame( array( '0', '0' ), array_column( $rest, 'attempts' ), 'not counted as attempts' );
		$this->assertCount( 1, self::received( '/slowish' ) );
	}
}
