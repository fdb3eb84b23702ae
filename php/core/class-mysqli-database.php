<?php
/**
 * Database over a mysqli connection (anything that is not WordPress, and
 * the benchmarks). Errors are returned, never thrown or printed.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Mysqli_Database implements Database {

	private \mysqli $link;

	public function __construct( \mysqli $link ) {
		$this->link = $link;
	}

	public function execute( string $sql ): int|false {
		try {
			return false === $this->link->query( $sql ) ? false : $this->link->affected_rows;
		} catch ( \mysqli_sql_exception $e ) {
			return false;
		}
	}

	public function rows( string $sql ): array {
		try {
			$result = $this->link->query( $sql );
		} catch ( \mysqli_sql_exception $e ) {
			return array();
		}
		return $result instanceof \mysqli_result ? $result->fetch_all( MYSQLI_ASSOC ) : array();
	}

	public function quote( string $value ): string {
		return "'" . $this->link->real_escape_string( $value ) . "'";
	}

	public function insert_id(): int {
		return (int) $this->link->insert_id;
	}

	public function last_error(): string {
		return $this->link->error;
	}
}
