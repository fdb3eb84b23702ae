<?php
/**
 * The outbox table ({prefix}hookguard_outbox): events waiting to be pushed
 * to destinations. This class owns every SQL statement that touches it.
 *
 * One row is one event for one destination: the exact payload bytes, the
 * stable event id, and a dedupe key unique per destination, so raising the
 * same event twice stores it once. Life cycle: pending -> sending ->
 * delivered, or back to pending with a later next_attempt_at, or failed
 * after the last attempt or an answer not worth repeating. Claims are one
 * atomic UPDATE, so any number of senders can drain the table; a claim
 * whose sender died is taken back once its lease expires. Times are the
 * database's UTC clock.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Outbox_Store {

	const SCHEMA_VERSION = '1';
	const STATUSES       = array( 'pending', 'sending', 'delivered', 'failed' );

	private Database $db;
	private string $table;

	public function __construct( Database $db, string $table ) {
		if ( ! preg_match( '/^[A-Za-z0-9_$]{1,64}$/D', $table ) ) {
			throw new \ValueError( 'HookGuard\Core\Outbox_Store::__construct(): Argument #2 ($table) must be a plain table name' );
		}
		$this->db    = $db;
		$this->table = $table;
	}

	public function table(): string {
		return $this->table;
	}

	/** Creates the table if it does not exist. */
	public function install( string $charset_collate = 'DEFAULT CHARSET=utf8mb4' ): bool {
		return false !== $this->run(
			"CREATE TABLE IF NOT EXISTS {$this->table} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  destination varchar(64) NOT NULL,
  event varchar(191) NOT NULL,
  event_id varchar(64) NOT NULL,
  dedupe_key char(64) NOT NULL,
  payload longblob NOT NULL,
  headers text NOT NULL,
  status varchar(20) NOT NULL DEFAULT 'pending',
  attempts smallint(5) unsigned NOT NULL DEFAULT 0,
  created_at datetime(3) NOT NULL,
  next_attempt_at datetime(3) NOT NULL,
  locked_at datetime(3) NULL DEFAULT NULL,
  claim_token char(32) NULL DEFAULT NULL,
  last_attempt_at datetime(3) NULL DEFAULT NULL,
  last_status smallint(5) unsigned NULL DEFAULT NULL,
  last_error text NULL,
  delivered_at datetime(3) NULL DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY destination_dedupe (destination, dedupe_key),
  KEY status_next (status, next_attempt_at),
  KEY status_locked (status, locked_at),
  KEY claim_token (claim_token),
  KEY event_id (event_id)
) $charset_collate"
		);
	}

	public function drop(): void {
		$this->run( "DROP TABLE IF EXISTS {$this->table}" );
	}

	/**
	 * Fills %s (quoted string), %d (integer) and %f (number) placeholders.
	 *
	 * @param mixed ...$args
	 */
	private function sql( string $template, mixed ...$args ): string {
		return preg_replace_callback(
			'/%([sdf])/',
			function ( array $m ) use ( &$args ): string {
				$value = array_shift( $args );
				return 's' === $m[1] ? $this->db->quote( (string) $value ) : ( 'd' === $m[1] ? (string) (int) $value : sprintf( '%.6F', (float) $value ) );
			},
			$template
		);
	}

	/** Runs a statement, retrying deadlocks and lock wait timeouts. */
	private function run( string $sql ): int|bool {
		for ( $try = 1; ; $try++ ) {
			$result = $this->db->execute( $sql );
			if ( false !== $result || $try >= 4 || ! preg_match( '/Deadlock|Lock wait timeout/i', $this->db->last_error() ) ) {
				return $result;
			}
			usleep( 2000 * $try );
		}
	}

	private static function text( string $text, int $max ): string {
		return mb_substr( mb_scrub( (string) $text, 'UTF-8' ), 0, $max, 'UTF-8' );
	}

	/**
	 * Stores one event for one destination unless its dedupe key is
	 * already there.
	 *
	 * @param array<string,string> $headers Headers sent with every attempt (besides the signature).
	 * @return array{id:int,new:bool}|null Null when the database refused it.
	 */
	public function add( string $destination, string $event, string $event_id, string $dedupe_key, string $payload, array $headers = array() ): ?array {
		// The payload goes in as a hex literal: any bytes, whatever the connection's charset.
		$sql    = $this->sql(
			"INSERT INTO {$this->table} (destination, event, event_id, dedupe_key, headers, status, attempts, created_at, next_attempt_at, payload)
			VALUES (%s, %s, %s, %s, %s, 'pending', 0, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), ",
			$destination,
			self::text( $event, 191 ),
			$event_id,
			hash( 'sha256', $dedupe_key ),
			(string) json_encode( (object) $headers, JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE )
		) . ( '' === $payload ? "''" : '0x' . bin2hex( $payload ) ) . ') ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)';
		$result = $this->run( $sql );
		if ( false === $result || ! $this->db->insert_id() ) {
			return null;
		}
		return array(
			'id'  => $this->db->insert_id(),
			'new' => 1 === $result,
		);
	}

	/** Takes back claims whose sender stopped (lease expired); the attempt it made counts. */
	public function release_expired( int $lease ): int {
		return (int) $this->run(
			$this->sql(
				"UPDATE {$this->table} SET status = 'pending', claim_token = NULL, locked_at = NULL, next_attempt_at = UTC_TIMESTAMP(3),
				last_error = 'The sender stopped before recording this attempt; its lease expired.'
				WHERE status = 'sending' AND locked_at < UTC_TIMESTAMP(3) - INTERVAL %d SECOND",
				$lease
			)
		);
	}

	/**
	 * Claims up to $limit due rows for $token in one UPDATE (counting the
	 * attempt), then reads what the claim got, oldest due first.
	 *
	 * @return array<int,array<string,string|null>>
	 */
	public function claim( string $token, int $limit ): array {
		$claimed = $this->run(
			$this->sql(
				"UPDATE {$this->table} SET status = 'sending', claim_token = %s, locked_at = UTC_TIMESTAMP(3), attempts = attempts + 1
				WHERE status = 'pending' AND next_attempt_at <= UTC_TIMESTAMP(3) ORDER BY next_attempt_at, id LIMIT %d",
				$token,
				$limit
			)
		);
		if ( ! $claimed ) {
			return array();
		}
		return $this->db->rows(
			$this->sql( "SELECT id, destination, event, event_id, payload, headers, attempts FROM {$this->table} WHERE claim_token = %s AND status = 'sending' ORDER BY next_attempt_at, id", $token )
		);
	}

	/** Gives claimed rows back untried (the sender ran out of time): their attempt is not counted. */
	public function release( array $ids, string $token ): int {
		$ids = array_filter( array_map( 'intval', $ids ) );
		if ( ! $ids ) {
			return 0;
		}
		return (int) $this->run(
			$this->sql( "UPDATE {$this->table} SET status = 'pending', attempts = attempts - 1, claim_token = NULL, locked_at = NULL WHERE claim_token = %s AND id IN (" . implode( ',', $ids ) . ')', $token )
		);
	}

	/**
	 * Marks claimed rows delivered (one statement for a batch).
	 *
	 * @param array<int,int> $statuses id => HTTP status.
	 * @return int How many were still held by $token.
	 */
	public function delivered( array $statuses, string $token ): int {
		$done = 0;
		foreach ( array_chunk( $statuses, 500, true ) as $chunk ) {
			$cases = '';
			foreach ( $chunk as $id => $status ) {
				$cases .= ' WHEN ' . (int) $id . ' THEN ' . (int) $status;
			}
			$done += (int) $this->run(
				$this->sql(
					"UPDATE {$this->table} SET status = 'delivered', delivered_at = UTC_TIMESTAMP(3), last_attempt_at = UTC_TIMESTAMP(3), last_status = CASE id$cases END,
					last_error = NULL, locked_at = NULL, claim_token = NULL WHERE claim_token = %s AND id IN (" . implode( ',', array_map( 'intval', array_keys( $chunk ) ) ) . ')',
					$token
				)
			);
		}
		return $done;
	}

	/**
	 * Records a failed attempt: pending again in $delay seconds, or failed
	 * for good when $delay is null. False when the claim was lost.
	 */
	public function failed_attempt( int $id, string $token, int $status, string $error, ?float $delay ): bool {
		return 1 === $this->run(
			$this->sql(
				"UPDATE {$this->table} SET status = %s, next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL %d MICROSECOND, last_attempt_at = UTC_TIMESTAMP(3),
				last_status = " . ( $status > 0 ? (int) $status : 'NULL' ) . ', last_error = %s, locked_at = NULL, claim_token = NULL WHERE id = %d AND claim_token = %s',
				null === $delay ? 'failed' : 'pending',
				null === $delay ? 0 : (int) round( $delay * 1000000 ),
				self::text( $error, 1000 ),
				$id,
				$token
			)
		);
	}

	/** @return array<string,int> Count per status (all four present). */
	public function counts(): array {
		$counts = array_fill_keys( self::STATUSES, 0 );
		foreach ( $this->db->rows( "SELECT status, COUNT(*) AS n FROM {$this->table} GROUP BY status" ) as $row ) {
			$counts[ $row['status'] ] = (int) $row['n'];
		}
		return $counts;
	}

	/** Failed rows and pending ones whose last attempt failed, newest first (no payloads). */
	public function recent_failures( int $limit = 20 ): array {
		return $this->db->rows(
			$this->sql(
				"SELECT id, destination, event, event_id, status, attempts, last_status, last_error, created_at, next_attempt_at, last_attempt_at FROM {$this->table}
				WHERE status = 'failed' OR (status = 'pending' AND last_error IS NOT NULL) ORDER BY id DESC LIMIT %d",
				$limit
			)
		);
	}

	/** The most recent rows (no payloads). */
	public function recent( int $limit = 20 ): array {
		return $this->db->rows(
			$this->sql( "SELECT id, destination, event, event_id, status, attempts, last_status, last_error, created_at, next_attempt_at, delivered_at FROM {$this->table} ORDER BY id DESC LIMIT %d", $limit )
		);
	}

	/** One row (payload included), or null. */
	public function get( int $id ): ?array {
		$rows = $this->db->rows( $this->sql( "SELECT * FROM {$this->table} WHERE id = %d", $id ) );
		return $rows ? $rows[0] : null;
	}

	/** Every row of an event (payloads included), by destination. */
	public function for_event( string $event_id ): array {
		return $this->db->rows( $this->sql( "SELECT * FROM {$this->table} WHERE event_id = %s ORDER BY id", $event_id ) );
	}

	/**
	 * Puts failed rows back with a fresh set of attempts (Replay).
	 *
	 * @param int[]|null $ids Null = every failed row.
	 */
	public function replay( ?array $ids = null ): int {
		$where = "status = 'failed'";
		if ( null !== $ids ) {
			$ids = array_filter( array_map( 'intval', $ids ) );
			if ( ! $ids ) {
				return 0;
			}
			$where .= ' AND id IN (' . implode( ',', $ids ) . ')';
		}
		return (int) $this->run( "UPDATE {$this->table} SET status = 'pending', attempts = 0, next_attempt_at = UTC_TIMESTAMP(3) WHERE $where" );
	}

	/** Deletes delivered or failed rows older than $days days, in chunks. */
	public function purge( string $status, int $days ): int {
		if ( ! in_array( $status, array( 'delivered', 'failed' ), true ) ) {
			throw new \ValueError( 'HookGuard\Core\Outbox_Store::purge(): Argument #1 ($status) must be "delivered" or "failed"' );
		}
		$total = 0;
		do {
			$n      = (int) $this->run( $this->sql( "DELETE FROM {$this->table} WHERE status = %s AND COALESCE(delivered_at, last_attempt_at, created_at) <= UTC_TIMESTAMP() - INTERVAL %d DAY LIMIT 1000", $status, $days ) );
			$total += $n;
		} while ( 1000 === $n );
		return $total;
	}
}
