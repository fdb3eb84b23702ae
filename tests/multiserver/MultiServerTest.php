<?php
/**
 * Two web servers (tests/multiserver/run), one database, one Redis.
 */

namespace HookGuard\Tests;

use HookGuard\Limiter;

final class MultiServerTest extends TestCase {

	public static function setUpBeforeClass(): void {
		self::settings(
			array(
				'trusted_proxies' => array( '127.0.0.1', '127.0.0.2' ),
				'kick'            => false,
			)
		);
	}

	protected function setUp(): void {
		self::reset_queue();
	}

	/** The fast path (or REST route) URL of $source on server "a" or "b". */
	private static function url_at( $server, $source, $path = 'fast' ) {
		$base = getenv( 'a' === $server ? 'HG_SERVER_A' : 'HG_SERVER_B' );
		return 'fast' === $path ? "$base/wp-json/hookguard/v1/receive/$source" : "$base/index.php?rest_route=/hookguard/v1/receive/$source";
	}

	/** Forged deliveries from one client IP, on the servers in $order; their statuses. */
	private static function forged_from( $ip, array $order ) {
		$forged = self::woocommerce( self::order( 71000 ), 'order.created', 7, 'forged' );
		$codes  = array();
		foreach ( $order as $i => $server ) {
			$url     = self::url_at( $server, 'strict', 2 === $i ? 'rest' : 'fast' );
			$codes[] = self::http( 'POST', $url, $forged['body'], $forged['headers'] + array( 'X-Forwarded-For' => $ip ) )['status'];
		}
		return $codes;
	}

	public function test_a_per_ip_limit_admits_exactly_its_budget_across_both_servers() {
		$this->assertSame( 'redis: shared by every web server', Limiter::for_site()->mode() );
		$codes = self::forged_from( self::client_ip(), array( 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b' ) );
		$this->assertSame( array( 401, 401, 401, 429, 429, 429, 429, 429 ), $codes, '"strict" allows 3 failures a minute per IP, whichever server sees them' );
		$this->assertSame( 202, self::http( 'POST', self::url_at( 'b', 'strict' ), self::woocommerce( self::order( 71001 ) )['body'], self::woocommerce( self::order( 71001 ) )['headers'] )['status'] );
	}

	public function test_without_redis_each_server_falls_back_to_its_own_table_and_says_so() {
		$pid = (int) getenv( 'HG_REDIS_PID' );
		posix_kill( $pid, SIGSTOP ); // Unreachable: it accepts connections and never answers.
		try {
			$mode = Limiter::for_site()->mode();
			list( , $status ) = self::run_process( self::cli_command( 'status' ) );
			$codes = self::forged_from( self::client_ip(), array( 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b' ) );
			$site_health = \HookGuard\Site_Health::test();
		} finally {
			posix_kill( $pid, SIGCONT );
		}
		$this->assertStringStartsWith( 'local fallback (Redis', $mode );
		$this->assertStringContainsString( 'local fallback', $status, 'cli.php status says so' );
		$this->assertSame( 'recommended', $site_health['status'] );
		$this->assertStringContainsString( 'Redis', $site_health['label'] );
		// Each server now counts on its own: 3 failures on each before 429.
		$this->assertSame( array( 401, 401, 401, 401, 401, 401, 429, 429 ), $codes );
		$back = self::poll(
			static function () {
				return Limiter::for_site()->mode();
			},
			static function ( $mode ) {
				return 'redis: shared by every web server' === $mode;
			},
			5
		);
		$this->assertSame( 'redis: shared by every web server', $back, 'and back once Redis answers' );
	}

	public function test_two_workers_drain_ten_thousand_deliveries_processing_none_twice() {
		global $wpdb;
		$wpdb->query( 'START TRANSACTION' );
		for ( $i = 0; $i < 10000; $i++ ) {
			$body = '{"n":' . $i . '}';
			self::store()->enqueue( 'qa', "multi:$i", 'test.event', $body, array() );
		}
		$wpdb->query( 'COMMIT' );
		$workers = array();
		foreach ( array( 'a', 'b' ) as $server ) {
			$workers[ $server ] = proc_open( self::cli_command( 'drain', array( 'batch' => 100 ) ), array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes[ $server ] );
		}
		$stats = array();
		foreach ( $workers as $server => $process ) {
			$stats[ $server ] = json_decode( stream_get_contents( $pipes[ $server ][1] ), true );
			$err              = stream_get_contents( $pipes[ $server ][2] );
			$this->assertSame( 0, proc_close( $process ), $err );
		}
		$handled = self::handled();
		$this->assertCount( 10000, $handled );
		$this->assertSame( array( 1 ), array_values( array_unique( $handled ) ), 'none processed twice' );
		$this->assertSame( 10000, $stats['a']['completed'] + $stats['b']['completed'] );
		$this->assertGreaterThan( 0, min( $stats['a']['completed'], $stats['b']['completed'] ), 'both took part' );
	}

	/**
	 * Server B's nginx lets 100 MB bodies through (as sites allowing media
	 * uploads do): HookGuard still answers 413 from the declared length or
	 * after reading max_body + 1 bytes, never holding the body in memory.
	 */
	public function test_a_99_mb_body_is_413_without_reading_it() {
		$body = str_repeat( 'x', 99 * 1024 * 1024 );
		$log  = getenv( 'HG_SERVER_B_LOG' );
		$mark = is_file( $log ) ? filesize( $log ) : 0;
		foreach ( array( array(), array( 'Transfer-Encoding' => 'chunked' ) ) as $extra ) {
			$r = self::http( 'POST', self::url_at( 'b', 'small' ), $body, array( 'Content-Type' => 'application/json', 'X-Sig' => 'x', 'X-Forwarded-For' => self::client_ip() ) + $extra );
			$this->assertSame( 413, $r['status'], json_encode( $extra ) );
			$this->assertSame( 'body_too_large', $r['json']['error'] );
		}
		$this->assertStringNotContainsString( 'Allowed memory size', (string) file_get_contents( $log, false, null, $mark ) );
	}
}
