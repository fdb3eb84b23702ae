<?php
/**
 * The Perfex module answered by a real CodeIgniter 3 application over HTTP
 * (nginx + php-fpm, csrf_protection on, MariaDB through CodeIgniter's mysqli
 * driver, the built extension). Perfex's own pieces are the test double in
 * tests/perfex/double. tests/perfex/run sets everything up: the module is
 * activated (its table created), source "shop" (woocommerce, 3 attempts,
 * 1 s backoff) saved, the fixture module hookguard_test hooked on
 * "hookguard_process_shop".
 */

namespace HookGuard\Tests;

use PHPUnit\Framework\TestCase;

final class PerfexTest extends TestCase {

	/** @var \mysqli */
	private static $db;

	public static function setUpBeforeClass(): void {
		self::$db = new \mysqli( '127.0.0.1', getenv( 'HG_DB_USER' ), getenv( 'HG_DB_PASSWORD' ), getenv( 'HG_DB_NAME' ), (int) getenv( 'HG_DB_PORT' ) );
	}

	protected function setUp(): void {
		self::sql( 'DELETE FROM tblhookguard_queue' );
		self::sql( 'DELETE FROM tblhookguard_test_log' );
		self::sql( "DELETE FROM tbloptions WHERE name = 'hookguard_test_fail_ids'" );
	}

	private static function sql( string $sql ) {
		$result = self::$db->query( $sql );
		return $result instanceof \mysqli_result ? $result->fetch_all( MYSQLI_ASSOC ) : $result;
	}

	/** @return array{status:int,headers:array<string,string>,body:string,json:mixed} */
	private static function http( string $method, string $path, string $body = '', array $headers = array() ): array {
		$ch = curl_init( getenv( 'HG_BASE_URL' ) . $path );
		$lines = array( 'Expect:' );
		foreach ( $headers as $name => $value ) {
			$lines[] = "$name: $value";
		}
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_CUSTOMREQUEST  => $method,
				CURLOPT_POSTFIELDS     => 'GET' === $method ? null : $body,
				CURLOPT_HTTPHEADER     => $lines,
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_HEADER         => true,
				CURLOPT_TIMEOUT        => 20,
			)
		);
		if ( 'GET' === $method ) {
			curl_setopt( $ch, CURLOPT_HTTPGET, true );
		}
		$raw  = (string) curl_exec( $ch );
		$size = curl_getinfo( $ch, CURLINFO_HEADER_SIZE );
		$out  = array( 'status' => (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE ), 'headers' => array(), 'body' => substr( $raw, $size ) );
		foreach ( explode( "\r\n", substr( $raw, 0, $size ) ) as $line ) {
			if ( strpos( $line, ':' ) ) {
				list( $name, $value ) = explode( ':', $line, 2 );
				$out['headers'][ strtolower( $name ) ] = trim( $value );
			}
		}
		$out['json'] = json_decode( $out['body'], true );
		return $out;
	}

	/** A WooCommerce delivery as WooCommerce signs it (base64 HMAC-SHA256 of the body). */
	private static function woocommerce( int $order, string $topic = 'order.created', ?string $secret = null, string $modified = '2024-05-01T10:00:00' ): array {
		$body = (string) json_encode( array( 'id' => $order, 'status' => 'processing', 'total' => '42.50', 'date_modified_gmt' => $modified ) );
		return array(
			$body,
			array(
				'Content-Type'             => 'application/json',
				'User-Agent'               => 'WooCommerce/10.0.2 Hookshot (WordPress/6.9.7)',
				'X-WC-Webhook-Source'      => 'https://shop.example/',
				'X-WC-Webhook-Topic'       => $topic,
				'X-WC-Webhook-ID'          => '7',
				'X-WC-Webhook-Delivery-ID' => md5( (string) $order . microtime() ),
				'X-WC-Webhook-Signature'   => base64_encode( hash_hmac( 'sha256', $body, $secret ?? getenv( 'HG_PERFEX_SECRET' ), true ) ),
			),
		);
	}

	private static function deliver( array $delivery, string $path = '/hookguard/receive/shop' ): array {
		return self::http( 'POST', $path, $delivery[0], $delivery[1] );
	}

	/** Runs CodeIgniter from the CLI in the application (the worker, the cron double): its last output line (log lines come first, on stderr). */
	private static function ci( string ...$args ): string {
		$ext = getenv( 'HG_EXTENSION' );
		$cmd = 'cd ' . escapeshellarg( getenv( 'HG_CI_DIR' ) ) . ' && ' . escapeshellarg( PHP_BINARY ) . ( $ext ? ' -d extension=' . escapeshellarg( $ext ) : '' ) . ' index.php ' . implode( ' ', array_map( 'escapeshellarg', $args ) ) . ' 2>&1';
		exec( $cmd, $out, $status );
		self::assertSame( 0, $status, implode( "\n", $out ) );
		return (string) end( $out );
	}

	private static function fail_orders( string $ids ): void {
		self::sql( "INSERT INTO tbloptions (name, value) VALUES ('hookguard_test_fail_ids', '" . self::$db->real_escape_string( $ids ) . "') ON DUPLICATE KEY UPDATE value = VALUES(value)" );
	}

	public function test_a_signed_woocommerce_delivery_needs_no_csrf_token_and_is_queued_with_its_exact_bytes() {
		$delivery = self::woocommerce( 1001 );
		$r        = self::deliver( $delivery );
		$this->assertSame( 202, $r['status'], $r['body'] );
		$this->assertSame( 'queued', $r['json']['status'] );
		$row = self::sql( 'SELECT * FROM tblhookguard_queue WHERE id = ' . (int) $r['json']['id'] )[0];
		$this->assertSame( $delivery[0], $row['body'] );
		$this->assertSame( array( 'shop', 'order.created', 'pending' ), array( $row['source'], $row['topic'], $row['status'] ) );
		$headers = json_decode( $row['headers'], true );
		$this->assertSame( 'order.created', $headers['x-wc-webhook-topic'] );
		$this->assertArrayNotHasKey( 'x-wc-webhook-signature', $headers, 'signatures are not stored' );
	}

	public function test_the_installed_module_is_the_packaged_folder_and_runs_its_own_core() {
		$module = getenv( 'HG_CI_DIR' ) . '/modules/hookguard';
		$this->assertFalse( is_link( $module ) );
		foreach ( array( 'hookguard.php', 'config/csrf_exclude_uris.php', 'controllers/Receive.php', 'core/class-receiver.php', 'core/class-queue-store.php' ) as $file ) {
			$this->assertFileExists( "$module/$file" );
		}
		$this->assertMatchesRegularExpression( '/^Module Name: HookGuard$/m', (string) file_get_contents( "$module/hookguard.php" ) );
		$this->assertMatchesRegularExpression( '/^Requires at least: 2\.9\.0$/m', (string) file_get_contents( "$module/hookguard.php" ) );
	}

	public function test_the_queue_table_is_created_by_activation_with_db_prefix_and_utf8mb4() {
		$create = self::sql( 'SHOW CREATE TABLE tblhookguard_queue' )[0]['Create Table'];
		$this->assertStringContainsString( 'CHARSET=utf8mb4', $create );
		$this->assertStringContainsString( 'UNIQUE KEY `source_key`', $create );
	}

	public function test_a_repeat_is_200_duplicate_and_queues_nothing() {
		$delivery = self::woocommerce( 1002 );
		$first    = self::deliver( $delivery );
		$again    = self::deliver( $delivery );
		$this->assertSame( array( 202, 200 ), array( $first['status'], $again['status'] ) );
		$this->assertSame( array( 'status' => 'duplicate', 'id' => $first['json']['id'] ), $again['json'] );
		$this->assertSame( '1', self::sql( 'SELECT COUNT(*) AS n FROM tblhookguard_queue' )[0]['n'] );
	}

	public function test_every_answer_of_the_receivers_table() {
		list( $body, $headers ) = self::woocommerce( 1003 );
		$get = self::http( 'GET', '/hookguard/receive/shop' );
		$this->assertSame( array( 405, 'POST', 'method_not_allowed' ), array( $get['status'], $get['headers']['allow'] ?? null, $get['json']['error'] ) );

		$unknown = self::http( 'POST', '/hookguard/receive/nope', $body, $headers );
		$this->assertSame( array( 404, 'unknown_source' ), array( $unknown['status'], $unknown['json']['error'] ) );

		$ping = self::http( 'POST', '/hookguard/receive/shop', 'webhook_id=7', array( 'Content-Type' => 'application/x-www-form-urlencoded' ) );
		$this->assertSame( array( 200, array( 'status' => 'ping' ) ), array( $ping['status'], $ping['json'] ) );

		$unsigned = $headers;
		unset( $unsigned['X-WC-Webhook-Signature'] );
		$missing = self::http( 'POST', '/hookguard/receive/shop', $body, $unsigned );
		$this->assertSame( array( 400, 'missing_signature' ), array( $missing['status'], $missing['json']['error'] ) );

		$forged = self::deliver( self::woocommerce( 1003, 'order.created', 'not-the-secret' ) );
		$this->assertSame( array( 401, 'signature_mismatch' ), array( $forged['status'], $forged['json']['error'] ) );
		$this->assertStringNotContainsString( getenv( 'HG_PERFEX_SECRET' ), $forged['body'] );

		$large = self::http( 'POST', '/hookguard/receive/shop', str_repeat( 'x', 1048577 ), $headers );
		$this->assertSame( array( 413, 'body_too_large' ), array( $large['status'], $large['json']['error'] ) );

		$this->assertSame( '0', self::sql( 'SELECT COUNT(*) AS n FROM tblhookguard_queue' )[0]['n'], 'none of them queued anything' );
	}

	public function test_failed_requests_from_one_ip_get_429_with_retry_after_and_verified_ones_still_pass() {
		// Source "limited": 5 failures a minute per client IP.
		$forged = self::woocommerce( 1004, 'order.created', 'wrong' );
		$codes  = array();
		for ( $i = 0; $i < 8; $i++ ) {
			$codes[] = self::deliver( $forged, '/hookguard/receive/limited' )['status'];
		}
		$this->assertSame( array( 401, 401, 401, 401, 401, 429, 429, 429 ), $codes );
		$limited = self::deliver( $forged, '/hookguard/receive/limited' );
		$this->assertSame( 'rate_limited', $limited['json']['error'] );
		$this->assertMatchesRegularExpression( '/^[1-9][0-9]*$/', $limited['headers']['retry-after'] ?? '' );
		$this->assertSame( 202, self::deliver( self::woocommerce( 1005 ), '/hookguard/receive/limited' )['status'], 'WooCommerce does not retry: its verified deliveries are never turned away' );
	}

	public function test_other_posts_without_a_token_are_403_and_the_exclusion_stops_at_the_source_segment() {
		$delivery = self::woocommerce( 1006 );
		$this->assertSame( 403, self::deliver( $delivery, '/hookguard/receive/shop/x' )['status'], 'beyond the pattern: CSRF-protected' );
		$this->assertSame( 403, self::deliver( $delivery, '/hookguard/worker/run' )['status'] );
		$this->assertSame( 403, self::http( 'POST', '/admin/hookguard/save_source', 'name=evil&scheme=woocommerce&secret=x', array( 'Content-Type' => 'application/x-www-form-urlencoded', 'X-Perfex-Double-Staff' => '1' ) )['status'] );
		$this->assertSame( 404, self::deliver( $delivery, '/HookGuard/Receive/shop' )['status'], 'past the CSRF check (CodeIgniter matches the pattern case-insensitively), then no such controller' );
		$this->assertSame( 404, self::http( 'GET', '/hookguard/receive/shop/x' )['status'] );
		$this->assertSame( '0', self::sql( 'SELECT COUNT(*) AS n FROM tblhookguard_queue' )[0]['n'] );
	}

	public function test_the_worker_hands_deliveries_to_the_hooks_and_retries_failures_until_the_last_attempt() {
		self::fail_orders( '2002' );
		$ok   = self::deliver( self::woocommerce( 2001 ) )['json']['id'];
		$bad  = self::deliver( self::woocommerce( 2002 ) )['json']['id'];
		$out  = json_decode( self::ci( 'hookguard', 'worker', 'run' ), true );
		$this->assertSame( array( 1, 1 ), array( $out['completed'], $out['retried'] ) );
		$rows = array_column( self::sql( 'SELECT id, status, attempts, last_error FROM tblhookguard_queue' ), null, 'id' );
		$this->assertSame( 'completed', $rows[ $ok ]['status'] );
		$this->assertSame( array( 'pending', '1' ), array( $rows[ $bad ]['status'], $rows[ $bad ]['attempts'] ) );
		$this->assertStringContainsString( 'the CRM refused order 2002', $rows[ $bad ]['last_error'] );
		$log = self::sql( 'SELECT order_id, attempt, signed_body, topic FROM tblhookguard_test_log ORDER BY id' );
		$this->assertSame( array( '2001', '1', '1', 'order.created' ), array_values( $log[0] ) );

		// Backoff 1 s, 3 attempts: through the cron (after_cron_run) and the keyed URL.
		$deadline = microtime( true ) + 15;
		do {
			usleep( 300000 );
			self::ci( 'perfex_double', 'cron' );
			$row = self::sql( "SELECT status, attempts FROM tblhookguard_queue WHERE id = $bad" )[0];
		} while ( 'failed' !== $row['status'] && microtime( true ) < $deadline );
		$this->assertSame( array( 'failed', '3' ), array( $row['status'], $row['attempts'] ) );

		// Fixed, retried from the queue: the keyed URL's worker completes it.
		self::fail_orders( '' );
		self::sql( "UPDATE tblhookguard_queue SET status = 'pending', attempts = 0, next_attempt_at = UTC_TIMESTAMP(3) WHERE id = $bad" );
		$this->assertSame( 403, self::http( 'GET', '/hookguard/worker/run?key=wrong' )['status'] );
		$key = self::sql( "SELECT value FROM tbloptions WHERE name = 'hookguard_worker_key'" )[0]['value'];
		$run = self::http( 'GET', '/hookguard/worker/run?key=' . rawurlencode( $key ) );
		$this->assertSame( 200, $run['status'], $run['body'] );
		$this->assertSame( 1, $run['json']['completed'] );
		$this->assertSame( 'completed', self::sql( "SELECT status FROM tblhookguard_queue WHERE id = $bad" )[0]['status'] );
	}

	public function test_the_admin_page_saves_a_source_with_its_token_and_never_shows_or_stores_the_secret_in_clear() {
		$page = self::http( 'GET', '/admin/hookguard', '', array( 'X-Perfex-Double-Staff' => '1' ) );
		$this->assertSame( 200, $page['status'] );
		$this->assertMatchesRegularExpression( '/name="csrf_test_name" value="([0-9a-f]+)"/', $page['body'] );
		preg_match( '/name="csrf_test_name" value="([0-9a-f]+)"/', $page['body'], $m );
		$this->assertStringNotContainsString( getenv( 'HG_PERFEX_SECRET' ), $page['body'] );

		$secret = 'admin-typed-secret-' . bin2hex( random_bytes( 4 ) );
		$save   = self::http(
			'POST',
			'/admin/hookguard/save_source',
			http_build_query( array( 'csrf_test_name' => $m[1], 'name' => 'crm-orders', 'scheme' => 'woocommerce', 'secret' => $secret ) ),
			array( 'Content-Type' => 'application/x-www-form-urlencoded', 'X-Perfex-Double-Staff' => '1', 'Cookie' => 'csrf_cookie_name=' . $m[1] )
		);
		$this->assertSame( 303, $save['status'], $save['body'] ); // CodeIgniter's redirect() after a POST.
		$stored = self::sql( "SELECT value FROM tbloptions WHERE name = 'hookguard_sources'" )[0]['value'];
		$this->assertStringContainsString( '"crm-orders"', $stored );
		$this->assertStringNotContainsString( $secret, $stored, 'sealed at rest' );
		$this->assertSame( 202, self::deliver( self::woocommerce( 3001, 'order.created', $secret ), '/hookguard/receive/crm-orders' )['status'] );
		$after = self::http( 'GET', '/admin/hookguard', '', array( 'X-Perfex-Double-Staff' => '1' ) );
		$this->assertStringContainsString( 'crm-orders', $after['body'] );
		$this->assertStringNotContainsString( $secret, $after['body'], 'write-only' );
	}

	public function test_when_neither_the_database_nor_the_spool_can_take_a_delivery_it_is_503_with_retry_after() {
		self::sql( 'RENAME TABLE tblhookguard_queue TO tblhookguard_queue_away' );
		self::sql( "INSERT INTO tbloptions (name, value) VALUES ('hookguard_spool_dir', '/proc/hookguard-no-spool') ON DUPLICATE KEY UPDATE value = VALUES(value)" );
		try {
			$r = self::deliver( self::woocommerce( 4001 ) );
		} finally {
			self::sql( 'RENAME TABLE tblhookguard_queue_away TO tblhookguard_queue' );
			self::sql( "UPDATE tbloptions SET value = '' WHERE name = 'hookguard_spool_dir'" );
		}
		$this->assertSame( array( 503, 'store_unavailable', '30' ), array( $r['status'], $r['json']['error'], $r['headers']['retry-after'] ?? null ) );
	}

	public function test_a_delivery_the_database_could_not_take_is_spooled_202_and_moved_into_the_queue_by_the_worker() {
		self::sql( 'RENAME TABLE tblhookguard_queue TO tblhookguard_queue_away' );
		try {
			$r = self::deliver( self::woocommerce( 4002 ) );
		} finally {
			self::sql( 'RENAME TABLE tblhookguard_queue_away TO tblhookguard_queue' );
		}
		$this->assertSame( array( 202, array( 'status' => 'queued', 'spooled' => true ) ), array( $r['status'], $r['json'] ) );
		$out = json_decode( self::ci( 'hookguard', 'worker', 'run' ), true );
		$this->assertSame( array( 1, 1 ), array( $out['spooled'], $out['completed'] ) );
		$this->assertSame( '4002', self::sql( 'SELECT order_id FROM tblhookguard_test_log' )[0]['order_id'] );
	}
}
