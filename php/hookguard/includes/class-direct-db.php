<?php
/**
 * The fast path's database connection when WordPress is not loaded: a plain
 * mysqli connection with the parameters WordPress itself resolved (cached by
 * Fast_Path from a SHORTINIT load), offering the few wpdb members that
 * Queue_Store::enqueue() uses. Everything else goes through $wpdb.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Direct_Db {

	/** @var string Table prefix, as $wpdb->prefix. */
	public $prefix;
	/** @var int */
	public $insert_id = 0;
	/** @var string */
	public $last_error = '';
	/** @var \mysqli|null */
	private $dbh;

	/** Seconds to connect (handshake included), and to wait for any answer: a frozen database costs a bounded time. */
	const CONNECT_TIMEOUT = 2;
	const READ_TIMEOUT    = 2;

	/**
	 * @param array $params host, user, password, name, port, socket, flags, charset, collate, prefix
	 *                      (see Fast_Path::db_params()).
	 */
	public function __construct( #[\SensitiveParameter] array $params ) {
		$this->prefix = $params['prefix'];
		mysqli_report( MYSQLI_REPORT_OFF );
		$dbh = mysqli_init();
		if ( $dbh ) {
			$dbh->options( MYSQLI_OPT_CONNECT_TIMEOUT, self::CONNECT_TIMEOUT );
			$dbh->options( MYSQLI_OPT_READ_TIMEOUT, self::READ_TIMEOUT );
		}
		if ( $dbh && @$dbh->real_connect( $params['host'], $params['user'], $params['password'], $params['name'], $params['port'], $params['socket'], $params['flags'] ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors -- a failed connection is answered 503.
			$dbh->set_charset( $params['charset'] );
			if ( '' !== $params['collate'] ) {
				$dbh->query( "SET NAMES '" . $dbh->real_escape_string( $params['charset'] ) . "' COLLATE '" . $dbh->real_escape_string( $params['collate'] ) . "'" );
			}
			$this->dbh = $dbh;
		} else {
			$this->last_error = $dbh ? (string) $dbh->connect_error : 'mysqli_init() failed';
		}
	}

	public function ready() {
		return null !== $this->dbh;
	}

	/** wpdb::prepare() for the placeholders HookGuard uses: %s (quoted, escaped) and %d. */
	public function prepare( $query, ...$args ) {
		$i   = 0;
		$sql = preg_replace_callback(
			'/%([sd])/',
			function ( $m ) use ( &$i, $args ) {
				if ( ! array_key_exists( $i, $args ) ) {
					throw new \ArgumentCountError( 'HookGuard\Direct_Db::prepare(): too few arguments for the placeholders' );
				}
				$value = $args[ $i++ ];
				return 'd' === $m[1] ? (string) (int) $value : "'" . $this->dbh->real_escape_string( (string) $value ) . "'";
			},
			$query
		);
		if ( count( $args ) !== $i ) {
			throw new \ArgumentCountError( 'HookGuard\Direct_Db::prepare(): more arguments than placeholders' );
		}
		return $sql;
	}

	/** Like wpdb::query() for INSERT/UPDATE/DELETE: affected rows, or false. */
	public function query( $sql ) {
		if ( ! $this->dbh ) {
			return false;
		}
		$this->last_error = '';
		if ( ! $this->dbh->query( $sql ) ) {
			$this->last_error = $this->dbh->error;
			return false;
		}
		$this->insert_id = (int) $this->dbh->insert_id;
		return (int) $this->dbh->affected_rows;
	}

	/** Errors are never printed here; kept for wpdb compatibility. */
	public function suppress_errors( $suppress = true ) {
		return true;
	}
}
