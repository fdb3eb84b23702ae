<?php
/**
 * The database fails under a steady stream of signed WooCommerce
 * deliveries on both paths: stopped, frozen (SIGSTOP), and with the spool's
 * own disk full; and the spool's writer or replayer is killed midway.
 * Nothing verified is refused while the spool can take it, and every
 * acknowledged delivery ends up in the queue table exactly once.
 */

namespace HookGuard\Tests;

use HookGuard\Spool;

final class OutageTest extends TestCase {

	public static function setUpBeforeClass(): void {
		self::trust_the_local_proxy();
	}

	protected function setUp(): void {
		self::reset_queue();
	}

	private static function db_pid() {
		return (int) trim( (string) file_get_contents( getenv( 'HG_DB_DIR' ) . '/mariadb.pid' ) );
	}

	public static function db_up() {
		mysqli_report( MYSQLI_REPORT_OFF );
		$db = @mysqli_connect( 'localhost', DB_USER, DB_PASSWORD, DB_NAME, 0, getenv( 'HG_DB_SOCKET' ) ); // phpcs:ignore WordPress.PHP.NoSilencedErrors
		return (bool) $db;
	}

	private static function wait_until_stopped( $pid ) {
		self::poll(
			static function () use ( $pid ) {
				return posix_kill( $pid, 0 );
			},
			static function ( $alive ) {
				return ! $alive;
			},
			20
		);
	}

	/** Starts the server again (the same datadir and socket) and waits for it. */
	private static function db_start() {
		exec( 'setsid ' . escapeshellarg( getenv( 'HG_DB_DIR' ) . '/start' ) . ' >/dev/null 2>&1 &' );
		$up = self::poll( array( self::class, 'db_up' ), 'boolval', 30 );
		if ( ! $up ) {
			throw new \RuntimeException( 'MariaDB did not come back' );
		}
	}

	/**
	 * Sends one new signed delivery every 50 ms for $seconds, alternating
	 * the fast path and the REST route; $at maps seconds to actions.
	 *
	 * @return array[] [path, body, status, seconds taken] per delivery.
	 */
	private static function stream( $seconds, array $at, $first_id ) {
		$sent    = array();
		$started = microtime( true );
		$id      = $first_id;
		while ( ( $now = microtime( true ) - $started ) < $seconds ) {
			foreach ( $at as $when => $action ) {
				if ( $now >= $when ) {
					$action();
					unset( $at[ $when ] );
				}
			}
			$path     = 0 === $id % 2 ? 'fast' : 'rest';
			$delivery = self::woocommerce( self::order( $id++ ) );
			$t        = microtime( true );
			$spooled = false;
			try {
				$r       = self::post( $path, 'shop', $delivery );
				$status  = $r['status'];
				$spooled = ! empty( $r['json']['spooled'] );
			} catch ( \RuntimeException $e ) {
				$status = $e->getMessage(); // No answer at all.
			}
			$sent[] = array( $path, $delivery['body'], $status, microtime( true ) - $t, $spooled );
			usleep( 50000 );
		}
		return $sent;
	}

	/** Asserts every delivery was acknowledged, then (after a drain) queued exactly once. */
	private function assert_all_queued_once( array $sent ) {
		$refused = array_filter(
			$sent,
			static function ( $d ) {
				return 202 !== $d[2];
			}
		);
		$this->assertSame( array(), array_map( static function ( $d ) { return $d[0] . ' ' . $d[2]; }, $refused ), 'refused during the outage' );
		$stats = self::drain(); // The worker moves the spool into the queue first.
		$this->assertSame( array(), self::spool()->records(), 'the spool is empty' );
		global $wpdb;
		$rows = $wpdb->get_results( 'SELECT body, COUNT(*) AS n FROM ' . self::store()->table() . ' GROUP BY body', OBJECT_K );
		$this->assertCount( count( $sent ), $rows, json_encode( $stats ) );
		foreach ( $sent as $d ) {
			$this->assertSame( '1', $rows[ $d[1] ]->n ?? '0', 'exactly once: ' . substr( $d[1], 0, 40 ) );
		}
		return $stats;
	}

	public function test_a_stopped_database_refuses_no_delivery_and_loses_none() {
		$pid  = self::db_pid();
		$sent = self::stream(
			7,
			array(
				'1.0' => static function () use ( $pid ) {
					posix_kill( $pid, SIGTERM );
				},
				'4.0' => static function () use ( $pid ) {
					self::wait_until_stopped( $pid );
					self::db_start();
				},
			),
			50000
		);
		$this->assertFalse( posix_kill( $pid, 0 ), 'the database was really stopped' );
		$this->assert_all_queued_once( $sent );
		$spooled = array_count_values( array_column( array_filter( $sent, static function ( $d ) { return $d[4]; } ), 0 ) );
		$this->assertGreaterThan( 0, $spooled['fast'] ?? 0, 'the fast path spooled while the database was down' );
		$this->assertGreaterThan( 0, $spooled['rest'] ?? 0, 'so did the REST route (the db-error.php drop-in)' );
	}

	public function test_a_frozen_database_costs_a_delivery_a_bounded_time_and_refuses_none() {
		$pid  = self::db_pid();
		$sent = self::stream(
			6,
			array(
				'1.0' => static function () use ( $pid ) {
					posix_kill( $pid, SIGSTOP );
				},
				'4.5' => static function () use ( $pid ) {
					posix_kill( $pid, SIGCONT );
				},
			),
			60000
		);
		posix_kill( $pid, SIGCONT );
		$fast = array_filter(
			$sent,
			static function ( $d ) {
				return 'fast' === $d[0];
			}
		);
		$slowest = max( array_column( $fast, 3 ) );
		$this->assertLessThan( 3.0, $slowest, 'the fast path waits at most its database timeouts (2 s)' );
		$this->assert_all_queued_once( $sent );
	}

	/** The spool's disk fills up: what it acknowledged is kept, the rest is 503 with Retry-After. */
	public function test_a_full_spool_disk_is_503_with_retry_after_and_keeps_what_it_acknowledged() {
		global $wpdb;
		$dir   = self::spool()->dir();
		$table = self::store()->table();
		if ( ! is_dir( $dir ) ) {
			mkdir( $dir, 0700, true );
		}
		exec( 'mount -t tmpfs -o size=24k,mode=0700 tmpfs ' . escapeshellarg( $dir ) . ' 2>&1', $out, $status );
		if ( 0 !== $status ) {
			$this->markTestSkipped( 'cannot mount a small tmpfs here: ' . implode( ' ', $out ) );
		}
		$answers = array();
		$bodies  = array();
		$wpdb->query( "RENAME TABLE $table TO {$table}_away" );
		try {
			for ( $i = 0; $i < 40 && ! in_array( 503, array_column( $answers, 'status' ), true ); $i++ ) {
				$order               = self::order( 61000 + $i );
				$order['note']       = str_repeat( 'n', 2000 );
				$delivery            = self::woocommerce( $order );
				$r                   = self::post( 0 === $i % 2 ? 'fast' : 'rest', 'shop', $delivery );
				$answers[]           = $r;
				$bodies[ $r['status'] ][] = $delivery['body'];
			}
		} finally {
			$wpdb->query( "RENAME TABLE {$table}_away TO $table" );
			$kept = array();
			foreach ( self::spool()->records() as $name ) {
				$kept[ $name ] = file_get_contents( "$dir/$name" );
			}
			exec( 'umount ' . escapeshellarg( $dir ) );
			foreach ( $kept as $name => $record ) {
				file_put_contents( "$dir/$name", $record );
			}
		}
		$last = end( $answers );
		$this->assertSame( 503, $last['status'], 'the full disk refused one' );
		$this->assertSame( 'store_unavailable', $last['json']['error'] );
		$this->assertSame( '30', $last['headers']['retry-after'] );
		$this->assertGreaterThan( 1, count( $bodies[202] ?? array() ), 'some were spooled before it filled' );
		$this->assertCount( count( $bodies[202] ), $kept, json_encode( array( array_column( $answers, 'status' ), array_map( static function ( $r ) { return substr( $r, -2200, 60 ); }, $kept ) ) ) );
		self::drain();
		$this->assertSame( count( $bodies[202] ), array_sum( self::store()->counts() ), 'every acknowledged one queued' );
	}

	/**
	 * A process killed in the middle of a spool write leaves no record (an
	 * unanswered delivery) or a whole one; killed between a replayed INSERT
	 * and the record's removal, the next replay queues nothing twice.
	 */
	public function test_a_spool_writer_or_replayer_killed_midway_loses_and_duplicates_nothing() {
		$dir  = self::spool()->dir();
		$kill = static function ( $at, $code ) use ( $dir ) {
			return self::php_process(
				'$_SERVER["HTTP_HOST"] = "127.0.0.1"; require getenv("HG_WP_DIR") . "/wp-load.php";
				HookGuard\Spool::$step_hook = function ($step) { if ($step === ' . var_export( $at, true ) . ') { posix_kill(getmypid(), SIGKILL); } };
				$spool = new HookGuard\Spool(' . var_export( $dir, true ) . ');' . $code
			);
		};
		$append = '$spool->append("shop", "key-%d", "order.created", "{\"id\":%d}", array());';

		list( $status ) = $kill( 'written', sprintf( $append, 1, 1 ) );
		$this->assertSame( SIGKILL, $status, 'killed before the rename' );
		$this->assertSame( array(), self::spool()->records(), 'no record: the delivery was never acknowledged' );

		list( $status ) = $kill( 'renamed', sprintf( $append, 2, 2 ) );
		$this->assertSame( SIGKILL, $status );
		$this->assertCount( 1, self::spool()->records(), 'a whole record' );

		list( $status ) = $kill( 'enqueued', '$spool->replay(new HookGuard\Queue_Store());' );
		$this->assertSame( SIGKILL, $status, 'killed after the INSERT, before the unlink' );
		$this->assertSame( 1, array_sum( self::store()->counts() ) );
		$this->assertCount( 1, self::spool()->records(), 'the record is still there' );

		$moved = self::spool()->replay( self::store() );
		$this->assertSame( array( 'moved' => 1, 'left' => 0, 'corrupt' => 0 ), $moved );
		$this->assertSame( 1, array_sum( self::store()->counts() ), 'replayed again: still one row' );
		$this->assertSame( array(), self::spool()->records() );

		// A torn or altered record is set aside, never queued.
		$name = self::spool()->append( 'shop', 'key-3', 'order.created', '{"id":3}', array() );
		file_put_contents( "$dir/$name", substr( (string) file_get_contents( "$dir/$name" ), 0, -3 ) );
		$this->assertSame( array( 'moved' => 0, 'left' => 0, 'corrupt' => 1 ), self::spool()->replay( self::store() ) );
		$this->assertFileExists( "$dir/$name.corrupt" );
		$this->assertSame( 1, array_sum( self::store()->counts() ) );
	}

	/**
	 * The database goes away under a running worker for longer than it
	 * retries its writes: it stops with a non-zero status and one line on
	 * stderr (no page on stdout); once the database is back, a worker takes
	 * over its deliveries after the lease, and no handler ran twice.
	 */
	public function test_a_worker_fails_loudly_when_the_database_goes_away_and_runs_nothing_twice() {
		$ids = array();
		for ( $i = 0; $i < 12; $i++ ) {
			$body  = wp_json_encode( array( 'n' => $i, 'sleep_ms' => 150 ) );
			$ids[] = self::store()->enqueue( 'qa', 'outage:' . $body, 'test.event', $body, array() )['id'];
		}
		$process = proc_open( self::cli_command( 'drain', array( 'batch' => 6, 'lease' => 3, 'write-retry' => 2 ) ), array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes );
		self::poll(
			static function () {
				return count( self::handled() );
			},
			static function ( $n ) {
				return $n >= 2;
			},
			20
		);
		$pid = self::db_pid();
		posix_kill( $pid, SIGTERM );
		$out    = stream_get_contents( $pipes[1] );
		$err    = stream_get_contents( $pipes[2] );
		$status = proc_close( $process );
		self::wait_until_stopped( $pid );
		self::db_start();

		$this->assertSame( 1, $status, "exit status\n$err" );
		$this->assertSame( '', $out, 'nothing on stdout (no HTML page)' );
		$this->assertMatchesRegularExpression( '/^hookguard: .+\n$/', preg_replace( '/^\[HookGuard\].*\n/m', '', $err ), 'one line on stderr' );

		$done = self::poll(
			static function () {
				return self::drain( array( 'lease' => 3 ) ) + array( 'left' => self::store()->counts() );
			},
			static function ( $stats ) {
				return 12 === $stats['left']['completed'];
			},
			20
		);
		$this->assertSame( 0, $done['left']['processing'], 'nothing left in processing' );
		$handled = self::handled();
		$this->assertEqualsCanonicalizing( $ids, array_keys( $handled ) );
		$this->assertSame( array( 1 ), array_values( array_unique( $handled ) ), 'no handler ran twice' );
	}
}
