<?php
/**
 * The core's Database over WordPress's $wpdb: errors kept out of the page
 * and the log (a failed INSERT's text would hold the payload).
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Wpdb_Database implements Core\Database {

	/** @var \wpdb|Direct_Db */
	private object $db;

	public function __construct( ?object $db = null ) {
		$this->db = $db ? $db : $GLOBALS['wpdb'];
	}

	public function execute( string $sql ): int|bool {
		$suppressed = $this->db->suppress_errors( true );
		$result     = $this->db->query( $sql ); // phpcs:ignore WordPress.DB -- built by the core's store with quote().
		$this->db->suppress_errors( $suppressed );
		return $result;
	}

	public function rows( string $sql ): array {
		$suppressed = $this->db->suppress_errors( true );
		$rows       = $this->db->get_results( $sql, ARRAY_A ); // phpcs:ignore WordPress.DB
		$this->db->suppress_errors( $suppressed );
		return is_array( $rows ) ? $rows : array();
	}

	public function quote( string $value ): string {
		$link = $this->db->dbh;
		return "'" . ( $link instanceof \mysqli ? mysqli_real_escape_string( $link, $value ) : addslashes( $value ) ) . "'";
	}

	public function insert_id(): int {
		return (int) $this->db->insert_id;
	}

	public function last_error(): string {
		return (string) $this->db->last_error;
	}
}
