<?php
/**
 * The plugin's units, inside the installed WordPress and its database.
 */

namespace HookGuard\Tests;

use HookGuard\Client_Ip;
use HookGuard\Crypto;
use HookGuard\Log;
use HookGuard\Queue_Store;
use HookGuard\Request;
use HookGuard\Scheme_Profile;
use HookGuard\Settings;
use HookGuard\Source;
use HookGuard\Source_Registry;
use HookGuard\Worker;

final class UnitTest extends TestCase {

	public function test_register_source_rejects_misuse_naming_the_argument_and_never_the_secret() {
		$cases = array(
			array( 'Bad Name', array( 'scheme' => 'github', 'secrets' => 's' ), 'Argument #1 ($name)' ),
			array( 'ok', array( 'secrets' => 's' ), 'key "scheme" must be one of' ),
			array( 'ok', array( 'scheme' => 'nope', 'secrets' => 's' ), 'key "scheme"' ),
			array( 'ok', array( 'scheme' => 'github' ), 'key "secrets"' ),
			array( 'ok', array( 'scheme' => 'github', 'secrets' => array() ), 'key "secrets"' ),
			array( 'ok', array( 'scheme' => 'github', 'secrets' => array( 'a', 5 ) ), 'only non-empty strings' ),
			array( 'ok', array( 'scheme' => 'github', 'secrets' => 's', 'colour' => 1 ), 'unknown key "colour"' ),
			array( 'ok', array( 'scheme' => 'github', 'secrets' => 's', 'options' => array( 'now' => 1 ) ), 'unknown option "now"' ),
			array( 'ok', array( 'scheme' => 'github', 'secrets' => 's', 'handler' => 'no_such_function' ), 'key "handler" must be callable' ),
			array( 'ok', array( 'scheme' => 'github', 'secrets' => 's', 'max_attempts' => 0 ), 'key "max_attempts"' ),
			array( 'ok', array( 'scheme' => 'github', 'secrets' => 's', 'idempotency' => 'cookie:x' ), 'key "idempotency"' ),
			array( 'ok', array( 'scheme' => 'github', 'secrets' => 's', 'rate_limit' => array( 'failed' => array( 'limit' => 0, 'period' => 60 ) ) ), 'key "rate_limit"' ),
			array( 'ok', array( 'scheme' => 'woocommerce', 'secrets' => 's', 'rate_limit' => array( 'verified' => array( 'limit' => 5, 'period' => 60 ) ) ), 'does not retry' ),
			array( 'ok', array( 'scheme' => 'hmac', 'secrets' => 's' ), 'not accepted by scheme "hmac"' ),
			array( 'ok', array( 'scheme' => 'standard-webhooks', 'secrets' => 'plain-secret-value' ), 'not accepted by scheme "standard-webhooks"' ),
			array( 'ok', array( 'scheme' => 'github', 'secrets' => 's', 'options' => array( 'algo' => 'md5' ) ), 'not accepted by scheme "github"' ),
		);
		foreach ( $cases as list( $name, $args, $expected ) ) {
			try {
				hookguard_register_source( $name, $args );
				$this->fail( 'accepted: ' . json_encode( $args ) );
			} catch ( \ValueError $e ) {
				$this->assertStringContainsString( $expected, $e->getMessage() );
				$this->assertStringStartsWith( 'hookguard_register_source(): Argument #', $e->getMessage() );
				$this->assertStringNotContainsString( 'plain-secret-value', $e->getMessage() );
			}
		}
	}

	public function test_a_source_gets_its_schemes_defaults() {
		$s = Source::from_args( 'gh', array( 'scheme' => 'github', 'secrets' => 'x' ) );
		$this->assertSame( array( 'x' ), $s->secrets );
		$this->assertSame( 'body', $s->idempotency, 'X-GitHub-Delivery is not signed' );
		$this->assertSame( array( 'limit' => 120, 'period' => 60 ), $s->fail_limit );
		$this->assertNull( $s->verified_limit );
		$this->assertSame( 3, $s->max_attempts );
		$this->assertTrue( $s->json );
		$wc = Source::from_args( 'wc', array( 'scheme' => 'woocommerce', 'secrets' => 'x', 'topics' => 'order.*, coupon.created' ) );
		$this->assertFalse( $wc->sender_retries );
		$this->assertTrue( $wc->accepts_topic( 'order.updated' ) );
		$this->assertTrue( $wc->accepts_topic( 'coupon.created' ) );
		$this->assertFalse( $wc->accepts_topic( 'coupon.deleted' ) );
		$this->assertFalse( $wc->accepts_topic( 'orders.x' ) );
	}

	public function test_secrets_are_sealed_at_rest_and_shown_masked() {
		$plain  = 'wc_secret_0123456789abcdef';
		$sealed = Crypto::seal( $plain );
		$this->assertStringStartsWith( 'hg1:', $sealed );
		$this->assertStringNotContainsString( $plain, $sealed );
		$this->assertNotSame( $sealed, Crypto::seal( $plain ), 'a fresh nonce each time' );
		$this->assertSame( $plain, Crypto::open( $sealed ) );
		$this->assertFalse( Crypto::open( substr( $sealed, 0, -2 ) . 'AA' ), 'tampered' );
		$this->assertFalse( Crypto::open( 'plain text' ) );
		$this->assertSame( '••••••••cdef (26 characters)', Crypto::mask( $plain ) );
		$this->assertSame( '•••••••• (5 characters)', Crypto::mask( 'short' ) );

		// Saved in the admin: the option holds only sealed secrets; so does the fast path's compiled copy.
		Source_Registry::save_admin_source( Source::from_args( 'unit-admin', array( 'scheme' => 'github', 'secrets' => array( $plain, 'second-secret-value' ) ) ) );
		try {
			global $wpdb;
			$raw = $wpdb->get_var( "SELECT GROUP_CONCAT(option_value) FROM $wpdb->options WHERE option_name LIKE 'hookguard%'" );
			$this->assertStringNotContainsString( $plain, $raw );
			$this->assertStringNotContainsString( 'second-secret-value', $raw );
			$this->assertStringNotContainsString( HOOKGUARD_TEST_HMAC_SECRET, $raw, 'code sources too' );
			$this->assertSame( array( $plain, 'second-secret-value' ), Source_Registry::get( 'unit-admin' )->secrets );
			$compiled = Source_Registry::load_compiled();
			$this->assertSame( array( $plain, 'second-secret-value' ), $compiled['sources']['unit-admin']['secrets'] );
		} finally {
			Source_Registry::delete_admin_source( 'unit-admin' );
		}
		$this->assertNull( Source_Registry::get( 'unit-admin' ) );
	}

	/**
	 * Seals "the secret" in a fresh WordPress process, after running $before
	 * there (which may define constants ahead of wp-config.php's).
	 */
	private static function sealed_elsewhere( $before ) {
		list( $status, $sealed, $err ) = self::php_process(
			$before . ' $_SERVER["HTTP_HOST"] = "127.0.0.1"; require getenv("HG_WP_DIR") . "/wp-load.php"; echo HookGuard\Crypto::seal("the secret");'
		);
		if ( 0 !== $status ) {
			throw new \RuntimeException( "sealing failed: $err" );
		}
		return $sealed;
	}

	/** Behaviour, not formula: the salts decide the key; other salts cannot open what these sealed. */
	public function test_without_the_constant_the_salts_are_the_key() {
		Crypto::reset();
		$this->assertSame( 32, strlen( Crypto::key() ) );
		$this->assertSame( 'the secret', Crypto::open( self::sealed_elsewhere( '' ) ), 'the same wp-config.php, another process: the same key' );
		$this->assertFalse( Crypto::open( self::sealed_elsewhere( '@define("AUTH_KEY", "other salts");' ) ), 'other salts, another key' );
	}

	public function test_a_constant_in_wp_config_replaces_the_salts_as_the_key() {
		$with_constant = self::sealed_elsewhere( 'define("HOOKGUARD_ENCRYPTION_KEY", "key-from-wp-config");' );
		$this->assertFalse( Crypto::open( $with_constant ), 'not the salts key' );
		list( $status, $opened, $err ) = self::php_process(
			'define("HOOKGUARD_ENCRYPTION_KEY", "key-from-wp-config"); @define("AUTH_KEY", "other salts"); $_SERVER["HTTP_HOST"] = "127.0.0.1";
			require getenv("HG_WP_DIR") . "/wp-load.php"; var_export(HookGuard\Crypto::open(' . var_export( $with_constant, true ) . '));'
		);
		$this->assertSame( 0, $status, $err );
		$this->assertSame( "'the secret'", $opened, 'the same constant opens it, whatever the salts' );
	}

	public function test_logs_mask_emails_phones_and_tokens() {
		$line = Log::mask( 'order for jane.doe@example.com, +1 (555) 123-4567 / 0612345678 on 2024-05-01, sig sha256=' . hash( 'sha256', 'x' ) . ' order 1042' );
		$this->assertStringNotContainsString( 'jane.doe@', $line );
		$this->assertStringContainsString( 'j***@example.com', $line );
		$this->assertStringNotContainsString( '123-4567', $line );
		$this->assertStringNotContainsString( '0612345678', $line );
		$this->assertStringNotContainsString( hash( 'sha256', 'x' ), $line );
		$this->assertStringContainsString( '2024-05-01', $line );
		$this->assertStringContainsString( 'order 1042', $line );
		$hint = 'hook the "hookguard_process_ui-shop-mwwbl82c" action';
		$this->assertSame( $hint, Log::mask( $hint ), 'action names stay readable' );
		$this->assertSame( 'key [redacted]', Log::mask( 'key hookguard_' . str_repeat( 'a1', 16 ) ), 'only the action names are exempt' );
		$this->assertSame( 'token [redacted].', Log::mask( 'token x' . str_repeat( 'a1', 20 ) . '.' ) );
	}

	public function test_the_client_ip_is_remote_addr_unless_a_trusted_proxy_forwarded_it() {
		$req = static function ( $remote, $xff = null ) {
			return new Request( 'POST', 's', '', null === $xff ? array() : array( 'x-forwarded-for' => $xff ), $remote );
		};
		$none = new Client_Ip( array() );
		$this->assertSame( '203.0.113.9', $none->resolve( $req( '203.0.113.9', '1.2.3.4' ) ), 'X-Forwarded-For ignored without trusted proxies' );
		$trusted = new Client_Ip( array( '10.0.0.0/8', '2001:db8::/32', 'garbage', '192.168.1.1' ) );
		$this->assertSame( '1.2.3.4', $trusted->resolve( $req( '10.1.2.3', '1.2.3.4' ) ) );
		$this->assertSame( '1.2.3.4', $trusted->resolve( $req( '10.1.2.3', '9.9.9.9, 1.2.3.4, 10.0.0.7' ) ), 'rightmost untrusted hop' );
		$this->assertSame( '203.0.113.9', $trusted->resolve( $req( '203.0.113.9', '1.2.3.4' ) ), 'not from a proxy' );
		$this->assertSame( '10.1.2.3', $trusted->resolve( $req( '10.1.2.3', 'not-an-ip' ) ) );
		$this->assertSame( '2a00::1', $trusted->resolve( $req( '2001:db8::5', '2a00::1' ) ) );
		$this->assertTrue( $trusted->is_trusted( '192.168.1.1' ) );
		$this->assertFalse( $trusted->is_trusted( '192.168.1.2' ) );
		$this->assertFalse( $trusted->is_trusted( '11.0.0.1' ) );
	}

	public function test_requests_read_headers_in_every_php_shape() {
		$server = Request::from_globals( 'shop', array( 'REQUEST_METHOD' => 'post', 'HTTP_X_WC_WEBHOOK_TOPIC' => 'order.created', 'CONTENT_LENGTH' => '12', 'REMOTE_ADDR' => '1.1.1.1' ), 'body' );
		$rest   = Request::from_rest( 'POST', 'shop', 'body', array( 'x_wc_webhook_topic' => array( 'order.created' ), 'content_length' => array( '12' ) ), '1.1.1.1' );
		foreach ( array( $server, $rest ) as $r ) {
			$this->assertSame( 'POST', $r->method );
			$this->assertSame( 'order.created', $r->header( 'X-WC-Webhook-Topic' ) );
			$this->assertSame( 12, $r->content_length() );
		}
		$this->assertSame( $server->headers, $rest->headers );
	}

	public function test_field_specs_pick_topics_and_keys() {
		$r    = new Request( 'POST', 's', '{"type":"a.b","data":{"id":"x1"},"n":5}', array( 'x-event' => 'e1' ), '' );
		$json = json_decode( $r->body, true );
		$this->assertSame( 'a.b', Scheme_Profile::extract( 'json:type', $r, $json ) );
		$this->assertSame( 'x1', Scheme_Profile::extract( 'json:data.id', $r, $json ) );
		$this->assertSame( '5', Scheme_Profile::extract( 'json:n', $r, $json ) );
		$this->assertSame( 'e1', Scheme_Profile::extract( 'json:missing|header:X-Event', $r, $json ) );
		$this->assertSame( 'body:' . hash( 'sha256', $r->body ), Scheme_Profile::extract( 'header:X-None|body', $r, $json ) );
		$this->assertSame( 'v', Scheme_Profile::extract( 'value:v', $r, $json ) );
		$this->assertSame( '', Scheme_Profile::extract( 'json:data', $r, $json ), 'objects are not keys' );
	}

	public function test_backoff_doubles_with_jitter_and_is_capped() {
		for ( $i = 0; $i < 50; $i++ ) {
			$this->assertThat( Worker::backoff( 30, 1 ), $this->logicalAnd( $this->greaterThanOrEqual( 15 ), $this->lessThanOrEqual( 30 ) ) );
			$this->assertThat( Worker::backoff( 30, 3 ), $this->logicalAnd( $this->greaterThanOrEqual( 60 ), $this->lessThanOrEqual( 120 ) ) );
			$this->assertLessThanOrEqual( Worker::MAX_DELAY, Worker::backoff( 30, 40 ) );
		}
		$seen = array();
		for ( $i = 0; $i < 50; $i++ ) {
			$seen[ Worker::backoff( 30, 4 ) ] = true;
		}
		$this->assertGreaterThan( 5, count( $seen ), 'jittered' );
		$this->assertSame( 0, Worker::backoff( 0, 3 ) );
	}

	public function test_the_store_enforces_one_row_per_source_and_key() {
		self::reset_queue();
		$store = new Queue_Store();
		$a     = $store->enqueue( 'qa', 'k1', 't', 'body', array() );
		$b     = $store->enqueue( 'qa', 'k1', 't', 'other body', array() );
		$c     = $store->enqueue( 'shop', 'k1', 't', 'body', array() );
		$this->assertTrue( $a['new'] );
		$this->assertFalse( $b['new'] );
		$this->assertSame( $a['id'], $b['id'] );
		$this->assertTrue( $c['new'], 'keys are per source' );
		global $wpdb;
		$indexes = $wpdb->get_results( 'SHOW INDEX FROM ' . $store->table() . " WHERE Key_name = 'source_key'" );
		$this->assertSame( '0', $indexes[0]->Non_unique, 'a unique index does it' );
	}

	public function test_claims_are_exclusive_and_tokens_guard_every_update() {
		self::reset_queue();
		$store = new Queue_Store();
		foreach ( range( 1, 5 ) as $i ) {
			$store->enqueue( 'qa', "k$i", 't', '{}', array() );
		}
		$first  = $store->claim( 'token-a', 3 );
		$second = $store->claim( 'token-b', 3 );
		$this->assertCount( 3, $first );
		$this->assertCount( 2, $second );
		$this->assertSame( array(), array_intersect( wp_list_pluck( $first, 'id' ), wp_list_pluck( $second, 'id' ) ) );
		$this->assertSame( array(), $store->claim( 'token-c', 3 ) );
		$this->assertFalse( $store->complete( $first[0]->id, 'token-b' ), "another claim's token changes nothing" );
		$this->assertTrue( $store->complete( $first[0]->id, 'token-a' ) );
		$this->assertFalse( $store->complete( $first[0]->id, 'token-a' ), 'only once' );
		$this->assertSame( 0, $store->release_expired( 60 ), 'leases still valid' );
		$this->assertSame( array( 'pending' => 0, 'processing' => 4, 'completed' => 1, 'failed' => 0 ), $store->counts() );
	}

	public function test_the_schema_is_versioned_and_dbdelta_is_idempotent() {
		$this->assertSame( Queue_Store::SCHEMA_VERSION, get_option( Queue_Store::VERSION_OPTION ) );
		( new Queue_Store() )->install();
		global $wpdb;
		$columns = $wpdb->get_col( 'SHOW COLUMNS FROM ' . ( new Queue_Store() )->table() );
		$this->assertSame( array( 'id', 'source', 'idem_key', 'topic', 'body', 'headers', 'status', 'attempts', 'received_at', 'next_attempt_at', 'locked_at', 'claim_token', 'last_error', 'processed_at' ), $columns );
	}

	public function test_settings_are_sanitised() {
		$s = Settings::sanitize( array( 'trusted_proxies' => "10.0.0.0/8\nnonsense\n::1", 'lease' => '2', 'batch' => 'x', 'kick' => '0' ) );
		$this->assertSame( array( '10.0.0.0/8', '::1' ), $s['trusted_proxies'] );
		$this->assertSame( 5, $s['lease'] );
		$this->assertSame( Settings::all()['batch'], $s['batch'] );
		$this->assertFalse( $s['kick'] );
	}

	public function test_the_site_health_test_reports_the_extension() {
		$tests = apply_filters( 'site_status_tests', array( 'direct' => array() ) );
		$this->assertArrayHasKey( 'hookguard_extension', $tests['direct'] );
		$result = call_user_func( $tests['direct']['hookguard_extension']['test'] );
		$this->assertSame( self::native() ? 'good' : 'recommended', $result['status'] );
		$this->assertStringContainsString( 'woocommerce', $result['description'] );
	}

	public function test_a_stored_handler_is_never_taken_from_the_database() {
		$source = Source::from_array( array( 'name' => 'x', 'scheme' => 'hmac', 'secrets' => array( 's' ), 'handler' => 'phpinfo' ) );
		$this->assertNull( $source->handler );
		$stored = Source_Registry::admin_stored();
		update_option( Source_Registry::ADMIN_OPTION, $stored + array( 'db-handler' => array( 'name' => 'db-handler', 'scheme' => 'github', 'secrets' => array( Crypto::seal( 'gh-secret' ) ), 'handler' => 'phpinfo' ) ) );
		try {
			$this->assertNull( Source_Registry::get( 'db-handler' )->handler );
		} finally {
			update_option( Source_Registry::ADMIN_OPTION, $stored );
		}
	}

	public function test_parameters_holding_secrets_are_marked_sensitive() {
		$sensitive = array(
			array( \HookGuard\Crypto::class, 'seal', 0 ),
			array( \HookGuard\Crypto::class, 'mac', 0 ),
			array( \HookGuard\Crypto::class, 'mask', 0 ),
			array( \HookGuard\Kicker::class, 'token', 0 ),
			array( \HookGuard\Kicker::class, 'accepts', 0 ),
			array( \HookGuard\Kicker::class, 'kick', 1 ),
			array( \HookGuard\Direct_Db::class, '__construct', 0 ),
			array( \HookGuard\Fast_Path_Cache::class, '__construct', 0 ),
		);
		foreach ( $sensitive as list( $class, $method, $position ) ) {
			$parameter = ( new \ReflectionMethod( $class, $method ) )->getParameters()[ $position ];
			$this->assertNotEmpty( $parameter->getAttributes( \SensitiveParameter::class ), "$class::$method() \$" . $parameter->getName() );
		}
		// And what that means: a trace shows no secret.
		$previous = ini_set( 'zend.exception_ignore_args', '0' );
		try {
			\HookGuard\Kicker::token( 'the-drain-key-itself', 'not a time' );
			$this->fail( 'no TypeError' );
		} catch ( \TypeError $e ) {
			$this->assertInstanceOf( \SensitiveParameterValue::class, $e->getTrace()[0]['args'][0] );
			$this->assertStringNotContainsString( 'the-drain-key-itself', $e->getTraceAsString() . $e->getMessage() );
		} finally {
			ini_set( 'zend.exception_ignore_args', $previous );
		}
	}

	/** Where the extension could not map its table, limiting stops (and says so once); answers stay answers. */
	public function test_a_limiter_that_cannot_map_its_table_never_turns_a_rejection_into_an_error() {
		if ( ! self::native() ) {
			$this->markTestSkipped( 'the native extension\'s shared table (php/compat has none to map)' );
		}
		$code = '$_SERVER["HTTP_HOST"] = "127.0.0.1"; require getenv("HG_WP_DIR") . "/wp-load.php";
			$r = new HookGuard\Receiver(array(HookGuard\Source_Registry::class, "get"), new HookGuard\Client_Ip(array()), function () { return null; }, HookGuard\Limiter::for_site());
			$request = new HookGuard\Request("POST", "strict", "{}", array("x-wc-webhook-signature" => base64_encode(str_repeat("x", 32))), "10.9.8.7");
			$codes = array();
			for ($i = 0; $i < 5; $i++) { $codes[] = $r->receive($request)->status; }
			echo json_encode($codes);';
		$command = array( 'bash', '-c', 'ulimit -v 900000; exec "$@"', 'hookguard', PHP_BINARY, '-d', 'extension=' . getenv( 'HG_EXTENSION' ), '-d', 'hookguard.rate_limit_slots=67108864', '-d', 'log_errors=1', '-d', 'error_log=/dev/stderr', '-r', $code );
		list( $status, $out, $err ) = self::run_process( $command );
		$this->assertSame( 0, $status, $err );
		$this->assertStringContainsString( 'rate limiter unavailable', $err, 'the cause is logged' );
		$this->assertSame( 1, substr_count( $err, 'requests are not limited' ), 'once' );
		$this->assertSame( array( 401, 401, 401, 401, 401 ), json_decode( $out, true ) );
	}

	/**
	 * The fast path's connection is persistent: the next request gets the
	 * same link, with nothing left of the session before it (transaction,
	 * variables, temporary tables) and the character set it asks for.
	 */
	public function test_the_fast_paths_persistent_connection_leaks_no_session_state() {
		$db_params = new \ReflectionMethod( \HookGuard\Fast_Path::class, 'db_params' );
		$db_params->setAccessible( true );
		$params = $db_params->invoke( null, $GLOBALS['wpdb'] );
		$this->assertTrue( $params['persistent'] );
		$marker = 'hookguard_leak_' . bin2hex( random_bytes( 4 ) );

		$first = new \HookGuard\Direct_Db( array( 'charset' => 'latin1' ) + $params );
		$this->assertTrue( $first->ready() );
		$before = $first->rows( 'SELECT CONNECTION_ID() AS id, @@character_set_client AS cs' )[0];
		$this->assertSame( 'latin1', $before['cs'] );
		foreach ( array( 'SET @hookguard_leak = 1', 'CREATE TEMPORARY TABLE hookguard_leak (x int)', 'START TRANSACTION', "INSERT INTO {$params['prefix']}options (option_name, option_value, autoload) VALUES ('$marker', 'x', 'no')" ) as $sql ) {
			$this->assertNotFalse( $first->execute( $sql ), $sql );
		}
		unset( $first ); // The request ends: the link goes back to the worker's pool.

		$next  = new \HookGuard\Direct_Db( $params );
		$after = $next->rows( "SELECT CONNECTION_ID() AS id, @@character_set_client AS cs, @hookguard_leak AS leak, @@in_transaction AS tx, (SELECT COUNT(*) FROM {$params['prefix']}options WHERE option_name = '$marker') AS n" )[0];
		$this->assertSame( array( $before['id'], $params['charset'], null, '0', '0' ), array( $after['id'], $after['cs'], $after['leak'], $after['tx'], $after['n'] ) );
		$this->assertFalse( $next->execute( 'SELECT * FROM hookguard_leak' ) );

		$refused = new \HookGuard\Direct_Db( array( 'password' => 'wrong-password' ) + $params );
		$this->assertFalse( $refused->ready() );
		$this->assertStringContainsString( 'Access denied', $refused->last_error() );
		$this->assertStringNotContainsString( 'wrong-password', $refused->last_error() );
	}

	public function test_a_client_is_counted_as_its_ipv4_address_or_its_ipv6_64() {
		$ip = new Client_Ip( array() );
		$at = static function ( $addr ) {
			return new Request( 'POST', 's', '', array(), $addr );
		};
		$this->assertSame( '192.0.2.7', $ip->bucket( $at( '192.0.2.7' ) ) );
		$this->assertSame( '2001:db8:1:2::/64', $ip->bucket( $at( '2001:db8:1:2:aaaa:bbbb:cccc:dddd' ) ) );
		$this->assertSame( '2001:db8:1:2::/64', $ip->bucket( $at( '2001:db8:1:2::1' ) ) );
		$this->assertSame( '192.0.2.7', $ip->bucket( $at( '::ffff:192.0.2.7' ) ) );
	}

	public function test_rate_limit_keys_belong_to_this_site() {
		$mine = \HookGuard\Limiter::for_site()->key( 'fail:shop:10.0.0.1' );
		$this->assertMatchesRegularExpression( '/^hookguard:[0-9a-f]{20}:fail:shop:10\.0\.0\.1$/', $mine );
		$this->assertStringNotContainsString( \HookGuard\Limiter::site_namespace(), ( new \HookGuard\Limiter( 'other-site' ) )->key( 'x' ) );
	}

	public function test_drain_tokens_are_time_bound_and_there_are_none_without_a_key() {
		$key = \HookGuard\Kicker::key();
		$now = time();
		$this->assertTrue( \HookGuard\Kicker::accepts( \HookGuard\Kicker::token( $key, $now ), $now ) );
		$this->assertTrue( \HookGuard\Kicker::accepts( \HookGuard\Kicker::token( $key, $now - \HookGuard\Kicker::WINDOW ), $now ), 'the window before' );
		$this->assertFalse( \HookGuard\Kicker::accepts( \HookGuard\Kicker::token( $key, $now - 2 * \HookGuard\Kicker::WINDOW ), $now ), 'expired' );
		$this->assertFalse( \HookGuard\Kicker::accepts( \HookGuard\Kicker::token( $key, $now + 2 * \HookGuard\Kicker::WINDOW ), $now ), 'from the future' );
		$this->assertFalse( \HookGuard\Kicker::accepts( \HookGuard\Kicker::token( 'another key', $now ), $now ) );
		$this->assertFalse( \HookGuard\Kicker::kick( 'http://127.0.0.1:9/', null, \HookGuard\Limiter::for_site() ), 'no key, no kick' );
		$this->assertStringEndsWith( '/?rest_route=/hookguard/v1/drain', \HookGuard\Kicker::target() );
		$this->assertStringStartsWith( get_option( 'home' ), \HookGuard\Kicker::target() );
	}

	public function test_deliveries_say_what_the_signature_covers() {
		$fields = static function ( $scheme, array $args = array() ) {
			return Source::from_args( 'x', $args + array( 'scheme' => $scheme, 'secrets' => 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' ) )->signed_fields();
		};
		$this->assertSame( array( 'body' ), $fields( 'woocommerce' ) );
		$this->assertSame( array( 'body', 'topic' ), $fields( 'woocommerce', array( 'topics' => array( 'order.created' ) ) ) );
		$this->assertSame( array( 'body' ), $fields( 'woocommerce', array( 'topics' => array( 'order.*' ) ) ), 'a pattern binds nothing' );
		$this->assertSame( array( 'body', 'idempotency' ), $fields( 'github' ) );
		$this->assertSame( array( 'body', 'topic', 'idempotency', 'x-wp-timestamp' ), $fields( 'wp-relay' ) );
		$this->assertSame( array( 'body', 'topic', 'idempotency', 'webhook-id', 'webhook-timestamp' ), $fields( 'standard-webhooks' ) );
		$this->assertSame( 'body', Source::from_args( 'x', array( 'scheme' => 'hmac', 'secrets' => 's', 'options' => array( 'header' => 'X-Sig', 'id_header' => 'X-Id' ) ) )->idempotency, 'an unsigned id header is not the key' );
		$this->assertSame( 'header:X-Id', Source::from_args( 'x', array( 'scheme' => 'hmac', 'secrets' => 's', 'options' => array( 'header' => 'X-Sig', 'id_header' => 'X-Id', 'signed_content' => '{id}.{body}' ) ) )->idempotency );
		$delivery         = new \HookGuard\Delivery( 1, 'x', 't', '{}', array(), 1, '2024-01-01 00:00:00' );
		$delivery->signed = $fields( 'wp-relay' );
		$this->assertTrue( $delivery->is_signed( 'X-WP-Timestamp' ) );
		$this->assertFalse( $delivery->is_signed( 'X-Event-Id' ) );
	}

	/** The plugin's lists against the extension's (or php/compat's): a new scheme or reason code fails here first. */
	public function test_the_plugins_lists_match_the_extensions() {
		$this->assertSame( hookguard_schemes(), Scheme_Profile::schemes() );
		$reasons = array_diff( hookguard_reasons(), array( 'ok' ) );
		$this->assertSame( array(), array_values( array_diff( $reasons, array_keys( \HookGuard\Response::MESSAGES ) ) ), 'every reason code has a message' );
		$this->assertSame( array(), array_diff( \HookGuard\Receiver::UNAUTHORIZED, $reasons ) );
		$this->assertSame( array(), array_diff( array_keys( Scheme_Profile::SIGNATURE_HEADERS ), hookguard_schemes() ) );
	}
}
