<?php
/**
 * The fast path's database connection when WordPress is not loaded: a plain
 * mysqli connection with the parameters WordPress itself resolved (cached by
 * Fast_Path from a SHORTINIT load), as the core's Database for
 * Queue_Store::enqueue(). Everything else goes through $wpdb.
 *
 * The connection is persistent (mysqli's "p:" host): each PHP-FPM worker
 * keeps one, so a delivery costs no connect and no authentication
 * handshake. Reusing it is safe across requests: mysqli resets the session
 * with COM_CHANGE_USER before handing it out (an open transaction is rolled
 * back, session variables, temporary tables and locks are dropped), and a
 * link the server closed meanwhile is replaced by a new one. The character
 * set is asked for in the handshake, not by a query afterwards. Define
 * HOOKGUARD_PERSISTENT_DB as false in wp-config.php for a connection per
 * delivery (each worker then holds none between requests).
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Direct_Db implements Core\Database {

	/** Table prefix, as $wpdb->prefix. */
	public string $prefix;
	private ?Core\Mysqli_Database $db = null;
	/** Why it could not connect. */
	private string $connect_error = '';

	/** Seconds to connect (handshake included), and to wait for any answer: a frozen database costs a bounded time. */
	const CONNECT_TIMEOUT = 2;
	const READ_TIMEOUT    = 2;

	/**
	 * @param array $params host, user, password, name, port, socket, flags, charset, persistent, prefix
	 *                      (see Fast_Path::db_params()).
	 */
	public function __construct( #[\SensitiveParameter] array $params ) {
		$this->prefix = $params['prefix'];
		$dbh          = mysqli_init();
		if ( ! $dbh ) {
			$this->connect_error = 'mysqli_init() failed';
			return;
		}
		$dbh->options( MYSQLI_OPT_CONNECT_TIMEOUT, self::CONNECT_TIMEOUT );
		$dbh->options( MYSQLI_OPT_READ_TIMEOUT, self::READ_TIMEOUT );
		$dbh->options( MYSQLI_SET_CHARSET_NAME, $params['charset'] );
		$host = ! empty( $params['persistent'] ) ? 'p:' . $params['host'] : $params['host'];
		// Thrown, not printed: a failed connection is answered 503 (or spooled), never with a PHP warning.
		mysqli_report( MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT );
		try {
			$dbh->real_connect( $host, $params['user'], $params['password'], $params['name'], $params['port'], $params['socket'], $params['flags'] );
			if ( $dbh->character_set_name() !== $params['charset'] ) {
				$dbh->set_charset( $params['charset'] ); // A reused link keeps the character set it was opened with.
			}
			$this->db = new Core\Mysqli_Database( $dbh );
		} catch ( \mysqli_sql_exception $e ) {
			$this->connect_error = $e->getMessage();
		} finally {
			mysqli_report( MYSQLI_REPORT_OFF );
		}
	}

	public function ready(): bool {
		return null !== $this->db;
	}

	public function execute( string $sql ): int|bool {
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
