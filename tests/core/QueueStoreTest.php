<?php
/**
 * The core's queue store behaves the same on every database adapter: the
 * same tests run against real MariaDB through mysqli (Mysqli_Database), PDO
 * (Pdo_Database), WordPress's own wpdb class (the plugin's Wpdb_Database,
 * wpdb loaded from Debian's WordPress without the rest of WordPress) and
 * CodeIgniter 3's database driver (the Perfex module's Ci_Database, from
 * the CodeIgniter fixture that tests/core/run extracts to HG_CI_DIR).
 * tests/core/run starts the server and exports HG_DB_*.
 */

namespace HookGuard\Tests;

use HookGuard\Core\Database;
use HookGuard\Core\Mysqli_Database;
use HookGuard\Core\Pdo_Database;
use HookGuard\Core\Queue_Store;
use HookGuard\Core\Store_Error;
use PHPUnit\Framework\TestCase;

final class QueueStoreTest extends TestCase {

	/** @var string Where the store's log lines go during a test. */
	private static $log;
	/** @var string|false */
	private $previous_log;

	public static function adapters(): array {
		return array(
			'mysqli' => array( 'mysqli' ),
			'PDO'    => array( 'pdo' ),
			'wpdb'   => array( 'wpdb' ),
			'CodeIgniter' => array( 'codeigniter' ),
		);
	}

	/** A new connection through $adapter (each call is its own session). */
	private static function connect( string $adapter ): Database {
		$host = '127.0.0.1';
		$port = (int) getenv( 'HG_DB_PORT' );
		$user = getenv( 'HG_DB_USER' );
		$pass = getenv( 'HG_DB_PASSWORD' );
		$name = getenv( 'HG_DB_NAME' );
		switch ( $adapter ) {
			case 'mysqli':
				$link = new \mysqli( $host, $user, $pass, $name, $port );
				$link->set_charset( 'utf8mb4' );
				return new Mysqli_Database( $link );
			case 'pdo':
				return new Pdo_Database( new \PDO( "mysql:host=$host;port=$port;dbname=$name;charset=utf8mb4", $user, $pass, array( \PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION ) ) );
			case 'wpdb':
				self::load_wpdb();
				$wpdb = new \wpdb( $user, $pass, $name, "$host:$port" );
				return new \HookGuard\Wpdb_Database( $wpdb );
			case 'codeigniter':
				self::load_codeigniter();
				$ci = DB(
					array(
						'dsn'          => '',
						'hostname'     => $host,
						'port'         => $port,
						'username'     => $user,
						'password'     => $pass,
						'database'     => $name,
						'dbdriver'     => 'mysqli',
						'db_debug'     => true, // As Perfex runs it: Ci_Database must keep errors from becoming error pages.
						'char_set'     => 'utf8mb4',
						'dbcollat'     => 'utf8mb4_unicode_ci',
						'save_queries' => true,
					),
					true
				);
				return new \HookGuard\Perfex\Ci_Database( $ci );
		}
		throw new \LogicException( $adapter );
	}

	/** WordPress's wpdb class and the few files it needs, without WordPress. */
	private static function load_wpdb(): void {
		if ( class_exists( 'wpdb', false ) ) {
			return;
		}
		$root = getenv( 'HG_WORDPRESS_DIR' ) ?: '/usr/share/wordpress';
		if ( ! is_file( "$root/wp-includes/class-wpdb.php" ) ) {
			self::markTestSkipped( "WordPress's wpdb is not at $root (scripts/setup installs Debian's wordpress)" );
		}
		define( 'ABSPATH', "$root/" );
		define( 'WPINC', 'wp-includes' );
		define( 'WP_DEBUG', false );
		foreach ( array( 'load', 'compat', 'plugin', 'functions', 'class-wpdb' ) as $file ) {
			require_once "$root/wp-includes/$file.php";
		}
		require_once dirname( __DIR__, 2 ) . '/php/hookguard/includes/class-wpdb-database.php';
	}

	/** CodeIgniter 3's database layer (system/database) and its common functions, without an application. */
	private static function load_codeigniter(): void {
		if ( function_exists( 'DB' ) ) {
			return;
		}
		$root = (string) getenv( 'HG_CI_DIR' );
		if ( '' === $root || ! is_file( "$root/system/database/DB.php" ) ) {
			self::markTestSkipped( 'the CodeIgniter 3 fixture (../shared/fixtures/codeigniter-3.3.0.tar.xz) is absent' );
		}
		define( 'BASEPATH', "$root/system/" );
		define( 'APPPATH', "$root/application/" );
		define( 'VIEWPATH', "$root/application/views/" );
		define( 'ENVIRONMENT', 'testing' );
		require_once BASEPATH . 'core/Common.php';
		require_once BASEPATH . 'database/DB.php';
		require_once dirname( __DIR__, 2 ) . '/php/perfex/includes/class-ci-database.php';
	}

	private static function store( string $adapter, ?Database $db = null ): Queue_Store {
		$store = new Queue_Store( $db ?? self::connect( $adapter ), 'hgtest_' . $adapter . '_queue' );
		$store->drop();
		$store->install();
		return $store;
	}

	protected function setUp(): void {
		self::$log          = tempnam( sys_get_temp_dir(), 'hg-core-log' );
		$this->previous_log = ini_set( 'error_log', self::$log );
	}

	protected function tearDown(): void {
		ini_set( 'error_log', (string) $this->previous_log );
		@unlink( self::$log );
	}

	/** @dataProvider adapters */
	public function test_a_delivery_is_stored_once_per_key_with_its_exact_bytes( string $adapter ) {
		$store = self::store( $adapter );
		$body  = "\x00\xff\xfe{\"a\":\"\xc3\xa9\"}\n\x80 '\\\" %s";
		$first = $store->enqueue( 'shop', 'key-1', 'order.created', $body, array( 'x-wc-webhook-topic' => 'order.created' ) );
		$this->assertSame( true, $first['new'] );
		$this->assertGreaterThan( 0, $first['id'] );
		$this->assertSame( array( 'id' => $first['id'], 'new' => false ), $store->enqueue( 'shop', 'key-1', 'order.created', 'other', array() ) );
		$second = $store->enqueue( 'other-source', 'key-1', 'order.created', '', array() );
		$this->assertTrue( $second['new'], 'the key is per source' );
		$row = $store->get( $first['id'] );
		$this->assertSame( $body, $row->body );
		$this->assertSame( 'pending', $row->status );
		$this->assertSame( hash( 'sha256', 'key-1' ), $row->idem_key );
		$this->assertSame( array( 'x-wc-webhook-topic' => 'order.created' ), json_decode( $row->headers, true ) );
		$this->assertSame( '', $store->get( $second['id'] )->body );
		$this->assertNull( $store->get( 999999 ) );
		$this->assertSame( array( 'pending' => 2, 'processing' => 0, 'completed' => 0, 'failed' => 0 ), $store->counts() );
	}

	/** @dataProvider adapters */
	public function test_a_claim_takes_each_due_delivery_once_and_counts_the_attempt( string $adapter ) {
		$store = self::store( $adapter );
		$other = new Queue_Store( self::connect( $adapter ), $store->table() );
		for ( $i = 1; $i <= 5; $i++ ) {
			$store->enqueue( 'shop', "k$i", 't', "body $i", array() );
		}
		$a = $store->claim( str_repeat( 'a', 32 ), 3 );
		$b = $other->claim( str_repeat( 'b', 32 ), 3 );
		$this->assertSame( array( 'body 1', 'body 2', 'body 3' ), array_column( $a, 'body' ) );
		$this->assertSame( array( 'body 4', 'body 5' ), array_column( $b, 'body' ) );
		$this->assertSame( array( '1', '1' ), array_column( $b, 'attempts' ) );
		$this->assertSame( array(), $store->claim( str_repeat( 'c', 32 ), 3 ), 'nothing left' );
		$this->assertSame( 5, $store->counts()['processing'] );
	}

	/** @dataProvider adapters */
	public function test_outcomes_need_the_claim_and_a_retry_waits_until_due( string $adapter ) {
		$store = self::store( $adapter );
		$ids   = array();
		foreach ( array( 'done', 'retry', 'dead' ) as $key ) {
			$ids[ $key ] = $store->enqueue( 'shop', $key, 't', $key, array() )['id'];
		}
		$token = str_repeat( 't', 32 );
		$this->assertCount( 3, $store->claim( $token, 10 ) );
		$this->assertFalse( $store->complete( $ids['done'], str_repeat( 'x', 32 ) ), 'another claim cannot complete it' );
		$this->assertTrue( $store->complete( $ids['done'], $token ) );
		$this->assertFalse( $store->complete( $ids['done'], $token ), 'once' );
		$this->assertTrue( $store->fail( $ids['retry'], $token, "RuntimeException: it's down for user@example.com", 3600, false ) );
		$this->assertTrue( $store->fail( $ids['dead'], $token, 'gave up', 0, true ) );

		$this->assertSame( array( 'pending' => 1, 'processing' => 0, 'completed' => 1, 'failed' => 1 ), $store->counts() );
		$this->assertSame( array(), $store->claim( $token, 10 ), 'the retry is not due for an hour' );
		$retry = $store->get( $ids['retry'] );
		$this->assertSame( "RuntimeException: it's down for user@example.com", $retry->last_error );
		$this->assertNull( $retry->claim_token );
		$this->assertNotNull( $store->get( $ids['done'] )->processed_at );
		$this->assertSame( array( $ids['dead'], $ids['retry'] ), array_map( 'intval', array_column( $store->recent_failures(), 'id' ) ) );
		$this->assertSame( array( $ids['dead'], $ids['retry'], $ids['done'] ), array_map( 'intval', array_column( $store->recent(), 'id' ) ) );
		$this->assertFalse( property_exists( $store->recent()[0], 'body' ), 'no bodies' );

		$this->assertSame( 1, $store->retry_failed() );
		$dead = $store->get( $ids['dead'] );
		$this->assertSame( array( 'pending', '0' ), array( $dead->status, $dead->attempts ) );
		$this->assertSame( array( 'dead' ), array_column( $store->claim( $token, 10 ), 'body' ) );
		$this->assertSame( 0, $store->retry_failed( array() ) );
	}

	/** @dataProvider adapters */
	public function test_a_stopped_workers_claim_is_taken_back_after_its_lease_and_its_late_outcome_is_lost( string $adapter ) {
		$store = self::store( $adapter );
		$id    = $store->enqueue( 'shop', 'k', 't', 'b', array() )['id'];
		$dead  = str_repeat( 'd', 32 );
		$this->assertCount( 1, $store->claim( $dead, 1 ) );
		$this->assertSame( 0, $store->release_expired( 60 ), 'the lease has not run out' );
		usleep( 20000 );
		$this->assertSame( 1, $store->release_expired( 0 ) );
		$this->assertStringContainsString( 'lease expired', $store->get( $id )->last_error );
		$live = str_repeat( 'l', 32 );
		$rows = $store->claim( $live, 1 );
		$this->assertSame( '2', $rows[0]->attempts );
		$this->assertFalse( $store->complete( $id, $dead ), 'the stopped worker lost it' );
		$store->renew( $live );
		$this->assertTrue( $store->complete( $id, $live ) );
	}

	/** @dataProvider adapters */
	public function test_released_deliveries_are_pending_at_once_without_the_attempt( string $adapter ) {
		$store = self::store( $adapter );
		$ids   = array( $store->enqueue( 'shop', 'a', 't', 'a', array() )['id'], $store->enqueue( 'shop', 'b', 't', 'b', array() )['id'] );
		$token = str_repeat( 'r', 32 );
		$store->claim( $token, 2 );
		$store->release( $ids, str_repeat( 'x', 32 ) );
		$this->assertSame( 2, $store->counts()['processing'], 'only the claim can give them back' );
		$store->release( $ids, $token );
		$this->assertSame( array( '0', '0' ), array( $store->get( $ids[0] )->attempts, $store->get( $ids[1] )->attempts ) );
		$this->assertCount( 2, $store->claim( $token, 2 ) );
	}

	/** @dataProvider adapters */
	public function test_purge_deletes_finished_deliveries_of_one_status_past_their_age( string $adapter ) {
		$store = self::store( $adapter );
		$id    = $store->enqueue( 'shop', 'a', 't', 'a', array() )['id'];
		$store->enqueue( 'shop', 'b', 't', 'b', array() );
		$token = str_repeat( 'p', 32 );
		$store->claim( $token, 1 );
		$store->complete( $id, $token );
		$this->assertSame( 0, $store->purge( 'completed', 1 ) );
		$this->assertSame( 0, $store->purge( 'failed', 0 ) );
		$this->assertSame( 1, $store->purge( 'completed', 0 ) );
		$this->assertNull( $store->get( $id ) );
		$this->assertSame( 1, $store->counts()['pending'] );
		$this->expectException( \ValueError::class );
		$store->purge( 'pending', 0 );
	}

	/** @dataProvider adapters */
	public function test_a_named_lock_is_held_by_one_connection_at_a_time( string $adapter ) {
		$store = self::store( $adapter );
		$other = new Queue_Store( self::connect( $adapter ), $store->table() );
		$this->assertTrue( $store->try_lock( 'worker' ) );
		$this->assertFalse( $other->try_lock( 'worker' ) );
		$this->assertTrue( $other->try_lock( 'another' ) );
		$store->unlock( 'worker' );
		$this->assertTrue( $other->try_lock( 'worker' ) );
	}

	/** @dataProvider adapters */
	public function test_a_database_error_is_an_answer_never_output_and_the_log_holds_no_body( string $adapter ) {
		$db    = self::connect( $adapter );
		$store = new Queue_Store( $db, 'hgtest_' . $adapter . '_missing' );
		$store->drop();
		$this->assertNull( $store->enqueue( 'shop', 'k', 't', 'secret-body-bytes', array() ) );
		try {
			$store->claim( str_repeat( 'e', 32 ), 1 );
			$this->fail( 'no Store_Error' );
		} catch ( Store_Error $e ) {
			$this->assertStringContainsString( 'hgtest_' . $adapter . '_missing', $e->getMessage() );
		}
		$this->assertSame( array( 'pending' => 0, 'processing' => 0, 'completed' => 0, 'failed' => 0 ), $store->counts() );
		$log = (string) file_get_contents( self::$log );
		$this->assertStringContainsString( 'database error on INSERT', $log );
		$this->assertStringNotContainsString( bin2hex( 'secret-body-bytes' ), $log );
		$this->expectOutputString( '' );
	}

	/** @dataProvider adapters */
	public function test_the_table_is_utf8mb4_with_the_schema_s_columns_and_keys( string $adapter ) {
		$db    = self::connect( $adapter );
		$store = self::store( $adapter, $db );
		$create = $db->rows( 'SHOW CREATE TABLE ' . $store->table() )[0]['Create Table'];
		$this->assertStringContainsString( 'CHARSET=utf8mb4', $create );
		$this->assertStringContainsString( 'UNIQUE KEY `source_key` (`source`,`idem_key`)', $create );
		$store->install();
		$this->assertSame( 14, count( $db->rows( 'SHOW COLUMNS FROM ' . $store->table() ) ), 'installing twice keeps the table' );
	}

	public function test_a_table_name_that_is_not_a_plain_identifier_is_a_value_error() {
		$this->expectException( \ValueError::class );
		$this->expectExceptionMessage( 'Argument #2 ($table)' );
		new Queue_Store( new class() implements Database {
			public function execute( string $sql ): int|bool {
				return false;
			}
			public function rows( string $sql ): array {
				return array();
			}
			public function quote( string $value ): string {
				return "''";
			}
			public function insert_id(): int {
				return 0;
			}
			public function last_error(): string {
				return '';
			}
		}, 'queue; DROP TABLE x' );
	}
}
