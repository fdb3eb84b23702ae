<?php
/**
 * The fast path's database connection when WordPress is not loaded: a plain
 * mysqli connection with the parameters WordPress itself resolved (cached by
 * Fast_Path from a SHORTINIT load), as the core's Database for
 * Queue_Store::enqueue(). Everything else goes through $wpdb.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Direct_Db implements Core\Database {

	/** @var string Table prefix, as $wpdb->prefix. */
	public $prefix;
	/** @var Core\Mysqli_Database|null */
	private $db;
	/** @var string Why it could not connect. */
	private $connect_error = '';

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
			$this->db = new Core\Mysqli_Database( $dbh );
		} else {
			$this->connect_error = $dbh ? (string) $dbh->connect_error : 'mysqli_init() failed';
		}
	}

	public function ready() {
		return null !== $this->db;
	}

	public function execute( string $sql ) {
		return $this->db ? $this->db->execute( $sql ) : false;
	}

	public function rows( string $sql ): array {
		return $this->db ? $this->db->rows( $sql ) : array();
	}

	public function quote( string $value ): string {
		return $this->db ? $this->db->quote( $value ) : "'" . addslashes( $value ) . "'";
	}

	public function insert_id(): int {
		return $this->db ? $this->db->insert_id() : 0;
	}

	public function last_error(): string {
		return $this->db ? $this->db->last_error() : $this->connect_error;
	}
}
