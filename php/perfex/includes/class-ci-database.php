<?php
/**
 * The core's Database over CodeIgniter 3's database driver (Perfex's
 * $this->db): statements through query() with db_debug off for the call, so
 * an error is returned (and kept for last_error()), never shown as an error
 * page holding the statement.
 *
 * @package HookGuard
 */

namespace HookGuard\Perfex;

use HookGuard\Core\Database;

final class Ci_Database implements Database {

	private \CI_DB_driver $db;
	private string $error = '';

	public function __construct( \CI_DB_driver $db ) {
		$this->db = $db;
	}

	/** query()'s result (a result object, or true for a write), false on error. */
	private function query( string $sql ): mixed {
		$debug             = $this->db->db_debug;
		$saved             = $this->db->save_queries;
		$this->db->db_debug     = false;
		$this->db->save_queries = false; // A delivery's body stays out of the profiler's list.
		try {
			$result = $this->db->query( $sql );
		} catch ( \mysqli_sql_exception $e ) {
			$result = false;
		} finally {
			$this->db->db_debug     = $debug;
			$this->db->save_queries = $saved;
		}
		$this->error = false === $result ? (string) ( $this->db->error()['message'] ?? 'unknown error' ) : '';
		return $result;
	}

	public function execute( string $sql ): int|false {
		$result = $this->query( $sql );
		return false === $result ? false : (int) $this->db->affected_rows();
	}

	public function rows( string $sql ): array {
		$result = $this->query( $sql );
		return is_object( $result ) ? $result->result_array() : array();
	}

	public function quote( string $value ): string {
		return "'" . $this->db->escape_str( $value ) . "'";
	}

	public function insert_id(): int {
		return (int) $this->db->insert_id();
	}

	public function last_error(): string {
		return $this->error;
	}
}
