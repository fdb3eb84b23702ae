<?php
/**
 * The queue table, {$wpdb->prefix}hookguard_queue. This class owns every
 * SQL statement that touches it; nothing else reads or writes the table.
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

namespace HookGuard;

final class Queue_Store {

	/** Bump when the schema changes; install() runs dbDelta again. */
	const SCHEMA_VERSION = '1';
	const VERSION_OPTION = 'hookguard_db_version';

	/** @var \wpdb */
	private $db;
	/** @var string */
	private $table;

	public function __construct( $db = null ) {
		$this->db    = $db ? $db : $GLOBALS['wpdb'];
		$this->table = $this->db->prefix . 'hookguard_queue';
	}

	public function table() {
		return $this->table;
	}

	/** Creates or upgrades the table with dbDelta and records the schema version. */
	public function install() {
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$charset = $this->db->get_charset_collate();
		dbDelta(
			"CREATE TABLE {$this->table} (
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
) $charset;"
		);
		update_option( self::VERSION_OPTION, self::SCHEMA_VERSION );
	}

	public function maybe_upgrade() {
		if ( get_option( self::VERSION_OPTION ) !== self::SCHEMA_VERSION ) {
			$this->install();
		}
	}

	public function drop() {
		$this->db->query( "DROP TABLE IF EXISTS {$this->table}" ); // phpcs:ignore WordPress.DB
		delete_option( self::VERSION_OPTION );
	}

	/**
	 * Runs one statement with errors kept out of the output and out of the
	 * log (a failed INSERT's text would hold the body); deadlocks and lock
	 * wait timeouts are retried. Returns $wpdb->query()'s result.
	 */
	private function run( $sql ) {
		$suppressed = $this->db->suppress_errors( true );
		for ( $try = 1; ; $try++ ) {
			$result = $this->db->query( $sql ); // phpcs:ignore WordPress.DB
			if ( false !== $result || $try >= 4 || ! preg_match( '/Deadlock|Lock wait timeout/i', $this->db->last_error ) ) {
				break;
			}
			usleep( 2000 * $try );
		}
		$this->db->suppress_errors( $suppressed );
		if ( false === $result ) {
			Log::error( 'database error on ' . strtok( ltrim( $sql ), ' ' ) . " {$this->table}: " . $this->db->last_error );
		}
		return $result;
	}

	/**
	 * Stores a delivery unless its (source, key) is already queued.
	 *
	 * @param string|null $received_at UTC "Y-m-d H:i:s" when it arrived (a spooled delivery's), else now.
	 * @return array{id:int,new:bool}|null Null when it could not be stored.
	 */
	public function enqueue( $source, $key, $topic, $body, array $headers, ?string $received_at = null ) {
		// The body goes in as a hex literal: it may hold any bytes, and
		// wpdb rejects queries whose text is not valid in the table charset.
		$sql = $this->db->prepare(
			"INSERT INTO {$this->table} (source, idem_key, topic, headers, status, attempts, received_at, next_attempt_at, body)
			VALUES (%s, %s, %s, %s, 'pending', 0, " . ( null === $received_at ? 'UTC_TIMESTAMP()' : '%s' ) . ', UTC_TIMESTAMP(3), ',
			...array_merge(
				array( $source, hash( 'sha256', $key ), self::clean_text( $topic, 191 ), (string) json_encode( $headers, JSON_INVALID_UTF8_SUBSTITUTE | JSON_UNESCAPED_SLASHES ) ),
				null === $received_at ? array() : array( $received_at )
			)
		) . ( '' === $body ? "''" : '0x' . bin2hex( $body ) ) . ') ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)';
		$result = $this->run( $sql );
		if ( false === $result || ! $this->db->insert_id ) {
			return null;
		}
		return array( 'id' => (int) $this->db->insert_id, 'new' => 1 === $result );
	}

	private static function clean_text( $text, $max ) {
		$text = mb_scrub( (string) $text, 'UTF-8' );
		return mb_substr( $text, 0, $max, 'UTF-8' );
	}

	/**
	 * Takes back claims whose worker stopped (its lease ran out): those
	 * deliveries become pending again, with the reason noted.
	 *
	 * @return int How many were taken back.
	 */
	public function release_expired( $lease ) {
		$result = $this->must_run(
			$this->db->prepare(
				"UPDATE {$this->table} SET status = 'pending', claim_token = NULL, locked_at = NULL, next_attempt_at = UTC_TIMESTAMP(3),
				last_error = 'The worker processing this delivery stopped before finishing it; its lease expired.'
				WHERE status = 'processing' AND locked_at < UTC_TIMESTAMP(3) - INTERVAL %d SECOND",
				$lease
			)
		);
		return (int) $result;
	}

	/**
	 * Claims up to $limit due deliveries for $token in one atomic UPDATE
	 * (counting the attempt), then reads what the claim got.
	 *
	 * @return object[] Rows: id, source, topic, body, headers, attempts, received_at.
	 */
	public function claim( $token, $limit ) {
		$claimed = $this->must_run(
			$this->db->prepare(
				"UPDATE {$this->table} SET status = 'processing', claim_token = %s, locked_at = UTC_TIMESTAMP(3), attempts = attempts + 1
				WHERE status = 'pending' AND next_attempt_at <= UTC_TIMESTAMP(3)
				ORDER BY next_attempt_at, id LIMIT %d",
				$token,
				$limit
			)
		);
		if ( ! $claimed ) {
			return array();
		}
		$rows = $this->db->get_results(
			$this->db->prepare(
				"SELECT id, source, topic, body, headers, attempts, received_at, last_error FROM {$this->table}
				WHERE claim_token = %s AND status = 'processing' ORDER BY next_attempt_at, id",
				$token
			)
		);
		if ( ! is_array( $rows ) || '' !== (string) $this->db->last_error ) {
			throw new Store_Error( "could not read the claimed deliveries from {$this->table}" );
		}
		return $rows;
	}

	/**
	 * Keeps a claim alive: its lease starts again now. Workers renew between
	 * deliveries, so a live worker's batch is never taken over while a dead
	 * one's is, a lease after it stopped.
	 */
	public function renew( $token ) {
		$this->must_run( $this->db->prepare( "UPDATE {$this->table} SET locked_at = UTC_TIMESTAMP(3) WHERE claim_token = %s AND status = 'processing'", $token ) );
	}

	/**
	 * Gives back claimed deliveries that were not started (the worker is
	 * stopping): pending again at once, their claim's attempt not counted.
	 *
	 * @param int[] $ids
	 */
	public function release( array $ids, $token ) {
		$ids = array_filter( array_map( 'intval', $ids ) );
		if ( $ids ) {
			$this->run(
				$this->db->prepare(
					"UPDATE {$this->table} SET status = 'pending', claim_token = NULL, locked_at = NULL, attempts = GREATEST(attempts, 1) - 1
					WHERE claim_token = %s AND status = 'processing' AND id IN (" . implode( ',', $ids ) . ')',
					$token
				)
			);
		}
	}

	/** run(), but a database error throws Store_Error. */
	private function must_run( $sql ) {
		$result = $this->run( $sql );
		if ( false === $result ) {
			throw new Store_Error( 'database error on ' . strtok( ltrim( $sql ), ' ' ) . " {$this->table}: " . $this->db->last_error );
		}
		return $result;
	}

	/**
	 * Marks a claimed delivery done. False when the claim was lost (lease
	 * expired and taken over); Store_Error when the database failed.
	 */
	public function complete( $id, $token ) {
		return 1 === $this->must_run(
			$this->db->prepare(
				"UPDATE {$this->table} SET status = 'completed', processed_at = UTC_TIMESTAMP(), locked_at = NULL, claim_token = NULL, last_error = NULL
				WHERE id = %d AND claim_token = %s",
				$id,
				$token
			)
		);
	}

	/**
	 * Records a failed attempt: pending again after $delay seconds, or
	 * failed for good when $final. False when the claim was lost;
	 * Store_Error when the database failed.
	 */
	public function fail( $id, $token, $error, $delay, $final ) {
		return 1 === $this->must_run(
			$this->db->prepare(
				"UPDATE {$this->table} SET status = %s, next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL %d SECOND, last_error = %s,
				locked_at = NULL, claim_token = NULL, processed_at = " . ( $final ? 'UTC_TIMESTAMP()' : 'NULL' ) . '
				WHERE id = %d AND claim_token = %s',
				$final ? 'failed' : 'pending',
				$final ? 0 : $delay,
				self::clean_text( $error, 2000 ),
				$id,
				$token
			)
		);
	}

	/**
	 * A database-wide named lock held by this connection until unlock() or
	 * the end of the request: keeps kicked workers from piling up.
	 */
	public function try_lock( $name ) {
		return '1' === (string) $this->db->get_var( $this->db->prepare( 'SELECT GET_LOCK(%s, 0)', $this->table . ':' . $name ) );
	}

	public function unlock( $name ) {
		$this->db->query( $this->db->prepare( 'SELECT RELEASE_LOCK(%s)', $this->table . ':' . $name ) );
	}

	/** @return array<string,int> Count per status (all four present). */
	public function counts() {
		$counts = array(
			'pending'    => 0,
			'processing' => 0,
			'completed'  => 0,
			'failed'     => 0,
		);
		foreach ( (array) $this->db->get_results( "SELECT status, COUNT(*) AS n FROM {$this->table} GROUP BY status" ) as $row ) { // phpcs:ignore WordPress.DB
			$counts[ $row->status ] = (int) $row->n;
		}
		return $counts;
	}

	/** Failed deliveries and pending ones whose last attempt failed, newest first. */
	public function recent_failures( $limit = 20 ) {
		return (array) $this->db->get_results(
			$this->db->prepare(
				"SELECT id, source, topic, status, attempts, last_error, received_at, next_attempt_at, processed_at FROM {$this->table}
				WHERE status = 'failed' OR (status = 'pending' AND last_error IS NOT NULL)
				ORDER BY id DESC LIMIT %d",
				$limit
			)
		);
	}

	/** The most recent rows (no bodies), for the monitor and the demo. */
	public function recent( $limit = 20 ) {
		return (array) $this->db->get_results(
			$this->db->prepare(
				"SELECT id, source, topic, status, attempts, received_at, next_attempt_at, processed_at, last_error FROM {$this->table}
				ORDER BY id DESC LIMIT %d",
				$limit
			)
		);
	}

	/** One row, or null. */
	public function get( $id ) {
		$row = $this->db->get_row( $this->db->prepare( "SELECT * FROM {$this->table} WHERE id = %d", $id ) );
		return $row ? $row : null;
	}

	/**
	 * Puts failed deliveries back in the queue with a fresh set of attempts.
	 *
	 * @param int[]|null $ids Null = every failed delivery.
	 * @return int How many.
	 */
	public function retry_failed( $ids = null ) {
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
	public function purge( $status, $days ) {
		if ( ! in_array( $status, array( 'completed', 'failed' ), true ) ) {
			throw new \ValueError( 'HookGuard\Queue_Store::purge(): Argument #1 ($status) must be "completed" or "failed"' );
		}
		$total = 0;
		do {
			$n      = (int) $this->run(
				$this->db->prepare(
					"DELETE FROM {$this->table} WHERE status = %s AND processed_at <= UTC_TIMESTAMP() - INTERVAL %d DAY LIMIT 1000",
					$status,
					$days
				)
			);
			$total += $n;
		} while ( 1000 === $n );
		return $total;
	}
}
