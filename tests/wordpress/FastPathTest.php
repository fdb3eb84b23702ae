<?php
/**
 * The fast path on its own terms: code-registered sources and secrets
 * rotated in code take effect with no page load in between, a flood of
 * forged requests costs a bounded number of full WordPress loads, only the
 * documented nginx location (with the site's key) reaches it, a deactivated
 * plugin accepts nothing, a forged Host never moves the worker kick, and a
 * second PHP-FPM pool under the same master can neither read nor poison
 * the cache.
 */

namespace HookGuard\Tests;

use HookGuard\Fast_Path;

final class FastPathTest extends TestCase {

	/** @var string[] mu-plugin files written by a test, removed after it. */
	private $written = array();

	public static function setUpBeforeClass(): void {
		self::trust_the_local_proxy();
	}

	protected function setUp(): void {
		self::reset_queue();
	}

	protected function tearDown(): void {
		foreach ( $this->written as $file ) {
			@unlink( $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors
		}
		$this->written = array();
	}

	/**
	 * Registers a WooCommerce source in code, as a site owner does: a new
	 * mu-plugin file (a new name each time, so OPcache cannot serve an old
	 * copy). Nothing loads WordPress afterwards.
	 */
	private function code_source( $name, $secret, $topics = array() ) {
		foreach ( $this->written as $file ) {
			unlink( $file );
		}
		$file = getenv( 'HG_WP_DIR' ) . '/wp-content/mu-plugins/hookguard-test-' . $name . '-' . bin2hex( random_bytes( 4 ) ) . '.php';
		file_put_contents(
			$file,
			'<?php add_action("init", function () { hookguard_register_source(' . var_export( $name, true ) . ', array("scheme" => "woocommerce", "secrets" => ' . var_export( $secret, true ) . ', "topics" => ' . var_export( $topics, true ) . ', "handler" => "hookguard_test_record")); });'
		);
		$this->written = array( $file );
	}

	public function test_a_source_registered_in_code_is_received_on_the_fast_path_with_no_page_load() {
		$name   = 'late-' . bin2hex( random_bytes( 3 ) );
		$secret = 'wc_s&amp;"' . bin2hex( random_bytes( 12 ) ) . '<>';
		$ip     = self::client_ip();
		$this->code_source( $name, $secret );

		$ping = self::http( 'POST', self::url( 'fast', $name ), 'webhook_id=31', array( 'Content-Type' => 'application/x-www-form-urlencoded', 'X-Forwarded-For' => $ip ) );
		$this->assertSame( 200, $ping['status'], 'WooCommerce saves a webhook only if its ping gets 200: ' . $ping['body'] );
		$codes = array();
		for ( $i = 0; $i < 30; $i++ ) {
			$codes[] = self::post( 'fast', $name, self::woocommerce( self::order( 31000 + $i ), 'order.created', 31, $secret ), array( 'X-Forwarded-For' => $ip ) )['status'];
		}
		$this->assertSame( array_fill( 0, 30, 202 ), $codes );
		$this->assertSame( 30, self::store()->counts()['pending'] );
	}

	public function test_a_secret_rotated_in_code_is_accepted_at_once_and_the_old_one_refused() {
		$name = 'rotating-' . bin2hex( random_bytes( 3 ) );
		$old  = 'old-' . bin2hex( random_bytes( 16 ) );
		$new  = 'new-' . bin2hex( random_bytes( 16 ) );
		$this->code_source( $name, $old );
		$this->assertSame( 202, self::post( 'fast', $name, self::woocommerce( self::order( 32001 ), 'order.created', 32, $old ) )['status'] );

		$this->code_source( $name, $new );
		$r = self::post( 'fast', $name, self::woocommerce( self::order( 32002 ), 'order.created', 32, $new ), array( 'X-Forwarded-For' => self::client_ip() ) );
		$this->assertSame( 202, $r['status'], $r['body'] );
		$r = self::post( 'fast', $name, self::woocommerce( self::order( 32003 ), 'order.created', 32, $old ), array( 'X-Forwarded-For' => self::client_ip() ) );
		$this->assertSame( 401, $r['status'], 'the old secret is gone from the code' );
	}

	/**
	 * Forged requests against an unchanged configuration: each is decided
	 * without a full WordPress load, but for one a second to refill the
	 * cache and one a second to re-check a refusal.
	 */
	public function test_a_flood_of_forged_requests_costs_a_bounded_number_of_full_loads() {
		$before  = self::fast_path_refreshes();
		$started = microtime( true );
		$codes   = array();
		for ( $i = 0; $i < 150; $i++ ) {
			$ip      = self::client_ip();
			$codes[] = 0 === $i % 2
				? self::post( 'fast', 'shop', self::woocommerce( self::order( 33000 + $i ), 'order.created', 7, 'forged' ), array( 'X-Forwarded-For' => $ip ) )['status']
				: self::post( 'fast', 'no-such-' . $i, self::woocommerce( self::order( 33000 + $i ) ), array( 'X-Forwarded-For' => $ip ) )['status'];
		}
		$elapsed = microtime( true ) - $started;
		$loads   = self::fast_path_refreshes() - $before;
		$this->assertSame( array( 401, 404 ), array_values( array_unique( $codes ) ) );
		// One a second to refill the cache, one a second to re-check a refusal, each after a burst of two.
		$this->assertLessThanOrEqual( 2 * (int) ceil( $elapsed ) + 4, $loads, sprintf( '%d full loads for 150 forged requests in %.2f s', $loads, $elapsed ) );
		$this->assertSame( 0, array_sum( self::store()->counts() ) );
	}

	public function test_receive_php_answers_only_through_the_keyed_location() {
		// At its plugin URL, through nginx's generic PHP location: no key, refused.
		$direct = self::http( 'POST', getenv( 'HG_WP_URL' ) . '/wp-content/plugins/hookguard/receive.php?source=shop', self::woocommerce( self::order( 34001 ) )['body'], self::woocommerce( self::order( 34001 ) )['headers'] );
		$this->assertSame( 403, $direct['status'] );
		$this->assertSame( 'fast_path_forbidden', $direct['json']['error'] );

		// Straight to PHP-FPM with a key that is not the site's: refused once WordPress says what the key is.
		$delivery = self::woocommerce( self::order( 34002 ) );
		$this->assertSame( 403, self::fcgi( str_repeat( 'a', 64 ), $delivery )['status'] );
		$this->assertSame( 202, self::fcgi( Fast_Path::key(), $delivery )['status'], 'the same request with the site key' );
		$this->assertSame( 1, array_sum( self::store()->counts() ) );
	}

	/** A POST straight to php-fpm's socket (cgi-fcgi), as the nginx location sends it, with $key as the fastcgi_param. */
	private static function fcgi( $key, array $delivery ) {
		$env = array(
			'REQUEST_METHOD'          => 'POST',
			'SCRIPT_FILENAME'         => getenv( 'HG_WP_DIR' ) . '/wp-content/plugins/hookguard/receive.php',
			'REQUEST_URI'             => '/wp-json/hookguard/v1/receive/shop',
			'DOCUMENT_ROOT'           => getenv( 'HG_WP_DIR' ),
			'REMOTE_ADDR'             => '127.0.0.1',
			'CONTENT_LENGTH'          => (string) strlen( $delivery['body'] ),
			'CONTENT_TYPE'            => 'application/json',
			'HOOKGUARD_FAST_PATH_KEY' => $key,
		);
		foreach ( $delivery['headers'] as $name => $value ) {
			$env[ 'HTTP_' . strtoupper( strtr( $name, '-', '_' ) ) ] = $value;
		}
		$process = proc_open( array( 'cgi-fcgi', '-bind', '-connect', getenv( 'HG_FPM_SOCKET' ) ), array( 0 => array( 'pipe', 'r' ), 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes, null, $env );
		fwrite( $pipes[0], $delivery['body'] );
		fclose( $pipes[0] );
		$out = stream_get_contents( $pipes[1] );
		stream_get_contents( $pipes[2] );
		proc_close( $process );
		$status = preg_match( '/^Status: (\d{3})/m', $out, $m ) ? (int) $m[1] : 200;
		return array(
			'status' => $status,
			'body'   => $out,
		);
	}

	/** New "shop" deliveries through the fast path until one is answered $status (3 s at most); the last answer. */
	private static function poll_fast_path_until( $status ) {
		return self::poll(
			static function () {
				return self::post( 'fast', 'shop', self::woocommerce( self::order( 35000 + random_int( 0, 99999 ) ) ) );
			},
			static function ( $r ) use ( $status ) {
				return $status === $r['status'];
			}
		);
	}

	public function test_a_deactivated_plugin_accepts_nothing_on_the_fast_path() {
		$toggle = static function ( $active ) {
			list( $status, , $err ) = self::php_process(
				'$_SERVER["HTTP_HOST"] = "127.0.0.1"; require getenv("HG_WP_DIR") . "/wp-load.php"; require_once ABSPATH . "wp-admin/includes/plugin.php";'
				. ( $active ? 'var_dump(activate_plugin("hookguard/hookguard.php"));' : 'deactivate_plugins("hookguard/hookguard.php");' )
			);
			return 0 === $status ? '' : $err;
		};
		$this->assertSame( '', $toggle( false ) );
		try {
			// The fast path's cache lives one second in PHP-FPM's APCu (deactivating from the CLI cannot clear it).
			$r = self::poll_fast_path_until( 404 );
			$this->assertSame( 404, $r['status'] );
			$this->assertSame( 'unknown_source', $r['json']['error'] );
			$this->assertSame( 404, self::post( 'rest', 'shop', self::woocommerce( self::order( 35999 ) ) )['status'] );
		} finally {
			$this->assertSame( '', $toggle( true ) );
		}
		$this->assertSame( 202, self::poll_fast_path_until( 202 )['status'] );
	}

	/**
	 * The kick's target never follows the request: on a site whose home URL
	 * follows the Host header, deliveries with a forged Host on both paths
	 * send nothing to the forged address, and the real worker still runs.
	 */
	public function test_a_forged_host_never_moves_the_worker_kick() {
		$trap = stream_socket_server( 'tcp://127.0.0.1:0', $errno, $errstr );
		$this->assertNotFalse( $trap, $errstr );
		$port = (int) substr( strrchr( stream_socket_get_name( $trap, false ), ':' ), 1 );
		update_option( 'hookguard_test_home_follows_host', 1 );
		self::settings( array( 'kick' => true ) );
		try {
			$ids = array();
			foreach ( array( 'rest', 'fast' ) as $i => $path ) {
				// A page load with the forged Host first: the old code recompiled the kick target from it.
				self::http( 'GET', getenv( 'HG_WP_URL' ) . '/', '', array( 'Host' => "127.0.0.1:$port" ) );
				$r = self::post( $path, 'shop', self::woocommerce( self::order( 37001 + $i ) ), array( 'Host' => "127.0.0.1:$port" ) );
				$this->assertSame( 202, $r['status'], $r['body'] );
				$ids[] = $r['json']['id'];
			}
			stream_set_blocking( $trap, false );
			$deadline = microtime( true ) + 2;
			$stolen   = false;
			while ( ! $stolen && microtime( true ) < $deadline ) {
				$stolen = (bool) @stream_socket_accept( $trap, 0 ); // phpcs:ignore WordPress.PHP.NoSilencedErrors
				usleep( 20000 );
			}
			$this->assertFalse( $stolen, 'a kick went to the forged Host' );
			$done = self::poll(
				static function () use ( $ids ) {
					return array_map(
						static function ( $id ) {
							return self::row( $id )->status;
						},
						$ids
					);
				},
				static function ( $statuses ) {
					return array( 'completed', 'completed' ) === $statuses;
				},
				10
			);
			$this->assertSame( array( 'completed', 'completed' ), $done, 'the kicked worker at the configured target processed both' );
		} finally {
			delete_option( 'hookguard_test_home_follows_host' );
			self::settings( array( 'kick' => false ) );
			fclose( $trap );
			// The kicked worker lingers a few seconds for more work: let it finish before other tests queue theirs.
			$free = self::poll(
				static function () {
					$store = self::store();
					$free  = $store->try_lock( 'kicked-worker' );
					if ( $free ) {
						$store->unlock( 'kicked-worker' );
					}
					return $free;
				},
				static function ( $free ) {
					return $free;
				},
				15
			);
			$this->assertTrue( $free, 'the kicked worker finished' );
		}
	}

	/**
	 * Another site's pool under the same PHP-FPM master (tests/wordpress/run
	 * starts one, serving tests/wordpress/fixtures/tenant.php at /tenant/)
	 * sees the APCu entries but can neither read what they hold nor make
	 * the fast path use one it wrote, nor touch this site's rate limits.
	 */
	public function test_another_pool_under_the_same_master_can_neither_read_nor_poison_the_cache() {
		$tenant = getenv( 'HG_WP_URL' ) . '/tenant/';
		$this->assertSame( 202, self::post( 'fast', 'shop', self::woocommerce( self::order( 38001 ) ) )['status'], 'cache filled' );

		$seen = self::http( 'GET', $tenant . '?do=dump' );
		$this->assertSame( 200, $seen['status'], $seen['body'] );
		$this->assertNotEmpty( preg_grep( '/^hookguard:fast:/', $seen['json']['keys'] ), 'the other pool does share the APCu memory' );
		$dump = base64_decode( $seen['json']['values'] );
		foreach ( array( HOOKGUARD_TEST_WC_SECRET, wp_specialchars_decode( HOOKGUARD_TEST_WC_SECRET, ENT_QUOTES ), HOOKGUARD_TEST_RELAY_NEW, HOOKGUARD_TEST_HMAC_SECRET, DB_PASSWORD, Fast_Path::key(), \HookGuard\Kicker::key() ) as $secret ) {
			$this->assertStringNotContainsString( $secret, $dump );
		}

		// Our budget for one IP spent; the tenant tries to reset it, and to spend another IP's.
		$spent = self::client_ip();
		$fresh = self::client_ip();
		for ( $i = 0; $i < 4; $i++ ) {
			$last = self::post( 'fast', 'strict', self::woocommerce( self::order( 38100 ), 'order.created', 7, 'forged' ), array( 'X-Forwarded-For' => $spent ) )['status'];
		}
		$this->assertSame( 429, $last );
		$poison = self::http( 'GET', $tenant . '?' . http_build_query( array( 'do' => 'poison', 'spent' => $spent, 'fresh' => $fresh ) ) );
		$this->assertSame( 200, $poison['status'], $poison['body'] );
		$this->assertGreaterThan( 0, $poison['json']['overwritten'] );

		// A delivery signed with the tenant's secret is refused; the real one is stored in this site's table.
		$forged = self::post( 'fast', 'shop', self::woocommerce( self::order( 38002 ), 'order.created', 7, 'tenant-secret' ), array( 'X-Forwarded-For' => self::client_ip() ) );
		$this->assertSame( 401, $forged['status'] );
		$real = self::post( 'fast', 'shop', self::woocommerce( self::order( 38003 ) ) );
		$this->assertSame( 202, $real['status'], $real['body'] );
		$this->assertSame( 'shop', self::row( $real['json']['id'] )->source );
		if ( self::native() ) {
			// php/compat keeps budgets in APCu, which another tenant can wipe (the README says so).
			$this->assertSame( 429, self::post( 'fast', 'strict', self::woocommerce( self::order( 38101 ), 'order.created', 7, 'forged' ), array( 'X-Forwarded-For' => $spent ) )['status'], 'a reset by the tenant reset nothing of ours' );
			$this->assertSame( 401, self::post( 'fast', 'strict', self::woocommerce( self::order( 38102 ), 'order.created', 7, 'forged' ), array( 'X-Forwarded-For' => $fresh ) )['status'], 'the tenant spent nothing of ours' );
		}
	}
}
