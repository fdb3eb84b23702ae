<?php
/**
 * The queue table. This class owns every SQL statement that touches it;
 * nothing else reads or writes the table. It speaks to the database only
 * through Database (wpdb, mysqli, CodeIgniter's driver: one adapter each),
 * so every adapter runs exactly these statements.
 *
 * Life cycle: pending -> processing -> completed, or back to pending with a
 * later next_attempt_at after a failed attempt, or failed after the last one.
 * The database enforces one row per (source, idempotency key) and hands out
 * claims atomically, so any number of workers on any number of hosts can
 * drain the same table. Times are the database's UTC clock, so hosts with
 * skewed clocks agree on leases and retry times.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

class Queue_Store {

	/** Bump when the schema changes; adapters run install() again. */
	const SCHEMA_VERSION = '1';

	protected Database $db;
	protected string $table;

	/** @param string $table The table's full name (prefix included), e.g. wp_hookguard_queue. */
	public function __construct( Database $db, string $table ) {
		if ( ! preg_match( '/^[A-Za-z0-9_]{1,64}$/', $table ) ) {
			throw new \ValueError( 'HookGuard\Core\Queue_Store::__construct(): Argument #2 ($table) must be 1 to 64 characters of A-Z, a-z, 0-9 and "_"' );
		}
		$this->db    = $db;
		$this->table = $table;
	}

	public function table(): string {
		return $this->table;
	}

	/**
	 * The table's definition, in the shape WordPress's dbDelta() reads (two
	 * spaces after PRIMARY KEY, one column or key per line).
	 *
	 * @param string $charset E.g. "DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci".
	 */
	public function schema( string $charset = 'DEFAULT CHARSET=utf8mb4' ): string {
		return "CREATE TABLE {$this->table} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  source varchar(64) NOT NULL,
  idem_key char(64) NOT NULL,
  topic varchar(191) NOT NULL DEFAULT '',
  body longblob NOT NULL,
  headers text NOT NULL,
  status varchar(20) NOT NULL DEFAULT 'pending',
  attempts smallint(5) unsigned NOT NULL DEFAULT 0,
  received_at datetime NOT NULL,
  next_attempt_at datetime(3) NOT NULL,
  locked_at datetime(3) NULL DEFAULT NULL,
  claim_token char(32) NULL DEFAULT NULL,
  last_error text NULL,
  processed_at datetime NULL DEFAULT NULL,
  PRIMARY KEY  (id),
  UNIQUE KEY source_key (source,idem_key),
  KEY status_next (status,next_attempt_at),
  KEY status_locked (status,locked_at),
  KEY claim_token (claim_token)
) $charset";
	}

	/**
	 * Creates the table when it does not exist (adapters with a schema tool
	 * of their own, like WordPress's dbDelta, upgrade it with schema()).
	 *
	 * @throws Store_Error When the database refuses.
	 */
	public function install( string $charset = 'DEFAULT CHARSET=utf8mb4' ): void {
		$this->must_run( preg_replace( '/^CREATE TABLE /', 'CREATE TABLE IF NOT EXISTS ', $this->schema( $charset ) ) );
	}

	public function drop(): void {
		$this->db->execute( "DROP TABLE IF EXISTS {$this->table}" );
	}

	/** $value as an SQL string literal. */
	private function q( string|int|null $value ): string {
		return $this->db->quote( (string) $value );
	}

	/** @return object[] A SELECT's rows as objects (the shape handlers and views read). */
	private function objects( string $sql ): array {
		return array_map(
			static function ( array $row ): object {
				return (object) $row;
			},
			$this->db->rows( $sql )
		);
	}

	/**
	 * Runs one statement with errors kept out of the output and out of the
	 * log (a failed INSERT's text would hold the body); deadlocks and lock
	 * wait timeouts are retried. Returns Database::execute()'s result.
	 */
	private function run( string $sql ): int|bool {
		for ( $try = 1; ; $try++ ) {
			$result = $this->db->execute( $sql );
			if ( false !== $result || $try >= 4 || ! preg_match( '/Deadlock|Lock wait timeout/i', $this->db->last_error() ) ) {
				break;
			}
			usleep( 2000 * $try );
		}
		if ( false === $result ) {
			Log::error( 'database error on ' . strtok( ltrim( $sql ), ' ' ) . " {$this->table}: " . $this->db->last_error() );
		}
		return $result;
	}

	/**
	 * Stores a delivery unless its (source, key) is already queued.
	 *
	 * @param string|null $received_at UTC "Y-m-d H:i:s" when it arrived (a spooled delivery's), else now.
	 * @return array{id:int,new:bool}|null Null when it could not be stored.
	 */
	public function enqueue( string $source, string $key, string $topic, string $body, array $headers, ?string $received_at = null ): ?array {
		// The body goes in as a hex literal: it may hold any bytes, and
		// wpdb rejects queries whose text is not valid in the table charset.
		$sql    = "INSERT INTO {$this->table} (source, idem_key, topic, headers, status, attempts, received_at, next_attempt_at, body)
			VALUES (" . $this->q( $source ) . ', ' . $this->q( hash( 'sha256', $key ) ) . ', ' . $this->q( self::clean_text( $topic, 191 ) ) . ', '
			. $this->q( (string) json_encode( $headers, JSON_INVALID_UTF8_SUBSTITUTE | JSON_UNESCAPED_SLASHES ) ) . ", 'pending', 0, "
			. ( null === $received_at ? 'UTC_TIMESTAMP()' : $this->q( $received_at ) ) . ', UTC_TIMESTAMP(3), '
			. ( '' === $body ? "''" : '0x' . bin2hex( $body ) ) . ') ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)';
		$result = $this->run( $sql );
		$id     = false === $result ? 0 : $this->db->insert_id();
		if ( ! $id ) {
			return null;
		}
		return array( 'id' => $id, 'new' => 1 === $result );
	}

	private static function clean_text( ?string $text, int $max ): string {
		$text = mb_scrub( (string) $text, 'UTF-8' );
		return mb_substr( $text, 0, $max, 'UTF-8' );
	}

	/**
	 * Takes back claims whose worker stopped (its lease ran out): those
	 * deliveries become pending again, with the reason noted.
	 *
	 * @return int How many were taken back.
	 */
	public function release_expired( int $lease ): int {
		return (int) $this->must_run(
			"UPDATE {$this->table} SET status = 'pending', claim_token = NULL, locked_at = NULL, next_attempt_at = UTC_TIMESTAMP(3),
			last_error = 'The worker processing this delivery stopped before finishing it; its lease expired.'
			WHERE status = 'processing' AND locked_at < UTC_TIMESTAMP(3) - INTERVAL " . (int) $lease . ' SECOND'
		);
	}

	/**
	 * Claims up to $limit due deliveries for $token in one atomic UPDATE
	 * (counting the attempt), then reads what the claim got.
	 *
	 * @return object[] Rows: id, source, topic, body, headers, attempts, received_at, last_error.
	 */
	public function claim( string $token, int $limit ): array {
		$claimed = $this->must_run(
			"UPDATE {$this->table} SET status = 'processing', claim_token = " . $this->q( $token ) . ', locked_at = UTC_TIMESTAMP(3), attempts = attempts + 1
			WHERE status = \'pending\' AND next_attempt_at <= UTC_TIMESTAMP(3)
			ORDER BY next_attempt_at, id LIMIT ' . (int) $limit
		);
		if ( ! $claimed ) {
			return array();
		}
		$rows = $this->objects(
			"SELECT id, source, topic, body, headers, attempts, received_at, last_error FROM {$this->table}
			WHERE claim_token = " . $this->q( $token ) . " AND status = 'processing' ORDER BY next_attempt_at, id"
		);
		if ( '' !== $this->db->last_error() ) {
			throw new Store_Error( "could not read the claimed deliveries from {$this->table}" );
		}
		return $rows;
	}

	/**
	 * Keeps a claim alive: its lease starts again now. Workers renew between
	 * deliveries, so a live worker's batch is never taken over while a dead
	 * one's is, a lease after it stopped.
	 */
	public function renew( string $token ): void {
		$this->must_run( "UPDATE {$this->table} SET locked_at = UTC_TIMESTAMP(3) WHERE claim_token = " . $this->q( $token ) . " AND status = 'processing'" );
	}

	/**
	 * Gives back claimed deliveries that were not started (the worker is
	 * stopping): pending again at once, their claim's attempt not counted.
	 *
	 * @param int[] $ids
	 */
	public function release( array $ids, string $token ): void {
		$ids = array_filter( array_map( 'intval', $ids ) );
		if ( $ids ) {
			$this->run(
				"UPDATE {$this->table} SET status = 'pending', claim_token = NULL, locked_at = NULL, attempts = GREATEST(attempts, 1) - 1
				WHERE claim_token = " . $this->q( $token ) . " AND status = 'processing' AND id IN (" . implode( ',', $ids ) . ')'
			);
		}
	}

	/** run(), but a database error throws Store_Error. */
	private function must_run( string $sql ): int|bool {
		$result = $this->run( $sql );
		if ( false === $result ) {
			throw new Store_Error( 'database error on ' . strtok( ltrim( $sql ), ' ' ) . " {$this->table}: " . $this->db->last_error() );
		}
		return $result;
	}

	/**
	 * Marks a claimed delivery done. False when the claim was lost (lease
	 * expired and taken over); Store_Error when the database failed.
	 */
	public function complete( int $id, string $token ): bool {
		return 1 === $this->must_run(
			"UPDATE {$this->table} SET status = 'completed', processed_at = UTC_TIMESTAMP(), locked_at = NULL, claim_token = NULL, last_error = NULL
			WHERE id = " . (int) $id . ' AND claim_token = ' . $this->q( $token )
		);
	}

	/**
	 * Records a failed attempt: pending again after $delay seconds, or
	 * failed for good when $final. False when the claim was lost;
	 * Store_Error when the database failed.
	 */
	public function fail( int $id, string $token, string $error, int $delay, bool $final ): bool {
		return 1 === $this->must_run(
			"UPDATE {$this->table} SET status = " . $this->q( $final ? 'failed' : 'pending' ) . ', next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ' . ( $final ? 0 : (int) $delay ) . ' SECOND,
			last_error = ' . $this->q( self::clean_text( $error, 2000 ) ) . ', locked_at = NULL, claim_token = NULL, processed_at = ' . ( $final ? 'UTC_TIMESTAMP()' : 'NULL' ) . '
			WHERE id = ' . (int) $id . ' AND claim_token = ' . $this->q( $token )
		);
	}

	/**
	 * A database-wide named lock held by this connection until unlock() or
	 * the end of the request: keeps kicked workers from piling up.
	 */
	public function try_lock( string $name ): bool {
		$rows = $this->db->rows( 'SELECT GET_LOCK(' . $this->q( $this->table . ':' . $name ) . ', 0) AS locked' );
		return isset( $rows[0]['locked'] ) && '1' === (string) $rows[0]['locked'];
	}

	public function unlock( string $name ): void {
		$this->db->rows( 'SELECT RELEASE_LOCK(' . $this->q( $this->table . ':' . $name ) . ')' );
	}

	/** @return array<string,int> Count per status (all four present). */
	public function counts(): array {
		$counts = array(
			'pending'    => 0,
			'processing' => 0,
			'completed'  => 0,
			'failed'     => 0,
		);
		foreach ( $this->db->rows( "SELECT status, COUNT(*) AS n FROM {$this->table} GROUP BY status" ) as $row ) {
			$counts[ $row['status'] ] = (int) $row['n'];
		}
		return $counts;
	}

	/** Failed deliveries and pending ones whose last attempt failed, newest first. */
	public function recent_failures( int $limit = 20 ): array {
		return $this->objects(
			"SELECT id, source, topic, status, attempts, last_error, received_at, next_attempt_at, processed_at FROM {$this->table}
			WHERE status = 'failed' OR (status = 'pending' AND last_error IS NOT NULL)
			ORDER BY id DESC LIMIT " . (int) $limit
		);
	}

	/** The most recent rows (no bodies), for the monitor and the demo. */
	public function recent( int $limit = 20 ): array {
		return $this->objects(
			"SELECT id, source, topic, status, attempts, received_at, next_attempt_at, processed_at, last_error FROM {$this->table}
			ORDER BY id DESC LIMIT " . (int) $limit
		);
	}

	/** One row, or null. */
	public function get( int $id ): ?object {
		$rows = $this->objects( "SELECT * FROM {$this->table} WHERE id = " . (int) $id );
		return $rows ? $rows[0] : null;
	}

	/**
	 * Puts failed deliveries back in the queue with a fresh set of attempts.
	 *
	 * @param int[]|null $ids Null = every failed delivery.
	 * @return int How many.
	 */
	public function retry_failed( ?array $ids = null ): int {
		$where = "status = 'failed'";
		if ( null !== $ids ) {
			$ids = array_filter( array_map( 'intval', (array) $ids ) );
			if ( ! $ids ) {
				return 0;
			}
			$where .= ' AND id IN (' . implode( ',', $ids ) . ')';
		}
		return (int) $this->run( "UPDATE {$this->table} SET status = 'pending', attempts = 0, next_attempt_at = UTC_TIMESTAMP(3), processed_at = NULL WHERE $where" );
	}

	/**
	 * Deletes finished deliveries ('completed' or 'failed') older than $days
	 * days, in chunks to keep locks short. Completed rows are what
	 * recognises a re-sent delivery, so their age is the duplicate window.
	 *
	 * @return int How many.
	 */
	public function purge( string $status, int $days ): int {
		if ( ! in_array( $status, array( 'completed', 'failed' ), true ) ) {
			throw new \ValueError( 'HookGuard\Queue_Store::purge(): Argument #1 ($status) must be "completed" or "failed"' );
		}
		$total = 0;
		do {
			$n      = (int) $this->run( "DELETE FROM {$this->table} WHERE status = " . $this->q( $status ) . ' AND processed_at <= UTC_TIMESTAMP() - INTERVAL ' . (int) $days . ' DAY LIMIT 1000' );
			$total += $n;
		} while ( 1000 === $n );
		return $total;
	}
}
