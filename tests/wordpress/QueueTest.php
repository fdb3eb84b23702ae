<?php
/**
 * The queue against the real database, drained by real worker processes
 * (cli.php) and by the kick after a delivery arrives over HTTP.
 */

namespace HookGuard\Tests;

final class QueueTest extends TestCase {

	public static function setUpBeforeClass(): void {
		self::settings( array( 'kick' => false ) );
	}

	protected function setUp(): void {
		self::reset_queue();
	}

	/** Queues deliveries for the "qa" source directly; returns their ids. */
	private static function enqueue( $n, array $command = array(), $source = 'qa' ) {
		$ids = array();
		for ( $i = 0; $i < $n; $i++ ) {
			$body  = wp_json_encode( array( 'n' => $i, 'nonce' => uniqid( '', true ) ) + $command );
			$ids[] = self::store()->enqueue( $source, 'test:' . $body, 'test.event', $body, array() )['id'];
		}
		return $ids;
	}

	public function test_a_delivery_goes_pending_processing_completed_through_http_and_the_worker() {
		$r = self::post( 'fast', 'shop', self::woocommerce( self::order( 7001 ) ) );
		$this->assertSame( 202, $r['status'] );
		$id = $r['json']['id'];
		$this->assertSame( 'pending', self::row( $id )->status );

		$stats = self::drain();
		$this->assertSame( 1, $stats['completed'] );
		$row = self::row( $id );
		$this->assertSame( 'completed', $row->status );
		$this->assertSame( '1', $row->attempts );
		$this->assertNull( $row->last_error );
		$this->assertNull( $row->claim_token );
		$this->assertNotNull( $row->processed_at );
		$this->assertSame( array( $id => 1 ), self::handled() );

		// Done is done: another worker finds nothing, a re-send is still a duplicate.
		$this->assertSame( 0, self::drain()['completed'] );
		$this->assertSame( 200, self::post( 'rest', 'shop', self::woocommerce( self::order( 7001 ) ) )['status'] );
		$this->assertSame( array( $id => 1 ), self::handled() );
	}

	public function test_without_a_handler_the_actions_fire_and_with_neither_the_delivery_fails_with_why() {
		$by_action = self::post( 'fast', 'by-action', self::hmac( '{"a":1}' ) )['json']['id'];
		$unhandled = self::post( 'fast', 'unhandled', self::hmac( '{"a":1}' ) )['json']['id'];
		self::drain();
		$this->assertSame( 'completed', self::row( $by_action )->status );
		$this->assertSame( array( $by_action => 1 ), self::handled() );
		$row = self::row( $unhandled );
		$this->assertSame( 'failed', $row->status );
		$this->assertStringContainsString( 'hookguard_process_unhandled', $row->last_error );
	}

	public function test_two_workers_draining_at_once_process_each_delivery_exactly_once() {
		$ids = self::enqueue( 300, array( 'sleep_ms' => 2 ) );
		$workers = array();
		foreach ( array( 1, 2 ) as $w ) {
			$workers[ $w ] = proc_open( self::cli_command( 'drain', array( 'batch' => 10 ) ), array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes[ $w ] );
		}
		$stats = array();
		foreach ( $workers as $w => $process ) {
			$stats[ $w ] = json_decode( stream_get_contents( $pipes[ $w ][1] ), true );
			$err         = stream_get_contents( $pipes[ $w ][2] );
			$this->assertSame( 0, proc_close( $process ), $err );
		}
		$handled = self::handled();
		$this->assertCount( 300, $handled, 'every delivery handled' );
		$this->assertSame( array( 1 ), array_values( array_unique( $handled ) ), 'none handled twice' );
		$this->assertEqualsCanonicalizing( $ids, array_keys( $handled ) );
		$this->assertSame( 300, $stats[1]['completed'] + $stats[2]['completed'] );
		$this->assertGreaterThan( 0, $stats[1]['completed'], 'worker 1 took part' );
		$this->assertGreaterThan( 0, $stats[2]['completed'], 'worker 2 took part' );
		$this->assertSame( 300, self::store()->counts()['completed'] );
	}

	public function test_a_worker_killed_mid_batch_has_its_deliveries_finished_by_another_after_the_lease() {
		global $wpdb;
		$ids     = self::enqueue( 10, array( 'sleep_ms' => 300 ) );
		$process = proc_open( self::cli_command( 'drain', array( 'batch' => 10, 'lease' => 3 ) ), array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes );
		$pid     = proc_get_status( $process )['pid'];
		$deadline = microtime( true ) + 20;
		while ( count( self::handled() ) < 2 && microtime( true ) < $deadline ) {
			usleep( 50000 );
		}
		// Kill inside the next handler's 300 ms sleep, not in the instant between a
		// handler's effect and its completion mark (the one window a crash repeats).
		usleep( 100000 );
		$this->assertTrue( posix_kill( $pid, SIGKILL ) );
		proc_close( $process );
		$done_before = self::handled();
		$this->assertGreaterThanOrEqual( 2, count( $done_before ) );
		$this->assertLessThan( 10, count( $done_before ), 'killed mid-batch' );
		$held = (int) $wpdb->get_var( 'SELECT COUNT(*) FROM ' . self::store()->table() . " WHERE status = 'processing' AND claim_token IS NOT NULL" );
		$this->assertSame( 10 - count( $done_before ), $held, 'the dead worker still holds the rest' );

		// Within the lease nobody takes them.
		$this->assertSame( 0, self::drain( array( 'lease' => 3 ) )['completed'] );
		sleep( 4 );
		$stats = self::drain( array( 'lease' => 3 ) );
		$this->assertSame( $held, $stats['reclaimed'] );
		$this->assertSame( $held, $stats['completed'] );
		$this->assertSame( 10, self::store()->counts()['completed'] );
		$handled = self::handled();
		$this->assertCount( 10, $handled );
		$this->assertSame( array( 1 ), array_values( array_unique( $handled ) ), 'finished ones were not run again' );
		$this->assertEqualsCanonicalizing( $ids, array_keys( $handled ) );
	}

	public function test_a_throwing_handler_is_retried_with_backoff_and_ends_failed_with_its_error() {
		global $wpdb;
		list( $id ) = self::enqueue( 1, array( 'fail' => true ) );
		$table      = self::store()->table();
		$delay      = static function () use ( $wpdb, $table, $id ) {
			return (float) $wpdb->get_var( $wpdb->prepare( "SELECT TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6), next_attempt_at) / 1e6 FROM $table WHERE id = %d", $id ) );
		};
		// Not retried before its time: checked while it is still clearly ahead (a drain boots WordPress first).
		$not_early = function () use ( $delay ) {
			if ( $delay() >= 1.2 ) {
				$early = self::drain();
				$this->assertSame( 0, $early['retried'] + $early['failed'], 'not retried before its time' );
			}
		};
		$due = static function () use ( $delay ) {
			self::poll( $delay, static function ( $left ) { return $left < 0; }, 5 );
		};

		$this->assertSame( 1, self::drain()['retried'] );
		$row = self::row( $id );
		$this->assertSame( array( 'pending', '1' ), array( $row->status, $row->attempts ) );
		$this->assertStringContainsString( 'RuntimeException: boom on attempt 1', $row->last_error );
		$this->assertStringNotContainsString( 'jane.doe@example.com', $row->last_error, 'e-mail masked' );
		$this->assertStringNotContainsString( '555 123 4567', $row->last_error, 'phone masked' );
		$this->assertGreaterThanOrEqual( 0, $delay() );
		$this->assertLessThanOrEqual( 1, $delay() );
		$not_early();

		$due();
		$this->assertSame( 1, self::drain()['retried'] );
		$this->assertSame( '2', self::row( $id )->attempts );
		$this->assertGreaterThanOrEqual( 0, $delay() ); // base 1 s * 2^1, jittered into [1, 2] s
		$this->assertLessThanOrEqual( 2, $delay() );
		$not_early();

		$due();
		$this->assertSame( 1, self::drain()['failed'] );
		$row = self::row( $id );
		$this->assertSame( array( 'failed', '3' ), array( $row->status, $row->attempts ) );
		$this->assertStringContainsString( 'boom on attempt 3', $row->last_error );
		$this->assertNotNull( $row->processed_at );
		$this->assertSame( array(), self::handled() );
		$this->assertSame( 0, self::drain()['failed'], 'failed is final' );

		// The monitor's retry puts it back with fresh attempts.
		$this->assertSame( 1, self::store()->retry_failed( array( $id ) ) );
		$this->assertSame( array( 'pending', '0' ), array( self::row( $id )->status, self::row( $id )->attempts ) );
	}

	public function test_a_handler_that_fails_once_succeeds_on_the_retry() {
		list( $id ) = self::enqueue( 1, array( 'fail_until' => 2 ) );
		$this->assertSame( 1, self::drain()['retried'] );
		sleep( 2 );
		$this->assertSame( 1, self::drain()['completed'] );
		$row = self::row( $id );
		$this->assertSame( array( 'completed', '2' ), array( $row->status, $row->attempts ) );
		$this->assertNull( $row->last_error );
	}

	public function test_a_queued_delivery_is_processed_within_seconds_by_the_kicked_worker() {
		self::settings( array( 'kick' => true ) );
		try {
			foreach ( array( 'fast', 'rest' ) as $i => $path ) {
				$id       = self::post( $path, 'shop', self::woocommerce( self::order( 8000 + $i ) ) )['json']['id'];
				$deadline = microtime( true ) + 10;
				while ( 'completed' !== self::row( $id )->status && microtime( true ) < $deadline ) {
					usleep( 100000 );
				}
				$this->assertSame( 'completed', self::row( $id )->status, "kicked after the $path answered" );
			}
		} finally {
			self::settings( array( 'kick' => false ) );
			// The kicked worker lingers a few seconds once idle: let it finish.
			$deadline = microtime( true ) + 15;
			while ( ! self::store()->try_lock( 'kicked-worker' ) && microtime( true ) < $deadline ) {
				usleep( 200000 );
			}
			self::store()->unlock( 'kicked-worker' );
		}
	}

	public function test_wp_cron_runs_the_worker() {
		list( $id ) = self::enqueue( 1 );
		$this->assertNotFalse( wp_next_scheduled( \HookGuard\Plugin::CRON_DRAIN ), 'scheduled' );
		do_action( \HookGuard\Plugin::CRON_DRAIN );
		$this->assertSame( 'completed', self::row( $id )->status );
	}

	public function test_purge_deletes_only_old_finished_deliveries() {
		global $wpdb;
		$ids   = self::enqueue( 3 );
		self::drain();
		$table = self::store()->table();
		$wpdb->query( $wpdb->prepare( "UPDATE $table SET processed_at = UTC_TIMESTAMP() - INTERVAL 40 DAY WHERE id = %d", $ids[0] ) );
		$this->assertSame( 1, self::store()->purge( 'completed', 30 ) );
		$this->assertNull( self::row( $ids[0] ) );
		$this->assertNotNull( self::row( $ids[1] ) );
	}

	/**
	 * Everything the suite made PHP-FPM and the CLI workers log: no secret,
	 * no signature, no unmasked e-mail address or phone number.
	 */
	public function test_the_logs_hold_no_secrets_signatures_or_contact_details() {
		$logs = self::$cli_logs . file_get_contents( getenv( 'HG_FPM_LOG' ) );
		$this->assertStringContainsString( '[HookGuard] error', $logs, 'the suite did log failures' );
		foreach ( array( HOOKGUARD_TEST_WC_SECRET, wp_specialchars_decode( HOOKGUARD_TEST_WC_SECRET, ENT_QUOTES ), HOOKGUARD_TEST_RELAY_NEW, HOOKGUARD_TEST_RELAY_OLD, HOOKGUARD_TEST_HMAC_SECRET, HOOKGUARD_TEST_STRIPE, HOOKGUARD_TEST_SW_SECRET, HOOKGUARD_TEST_ORDER_SECRET, 'jane.doe@example.com', '555 123 4567', 'x-wc-webhook-signature', 'X-WC-Webhook-Signature' ) as $needle ) {
			$this->assertStringNotContainsString( $needle, $logs );
		}
	}
}
