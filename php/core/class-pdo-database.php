<?php
/**
 * Database over a PDO connection to MySQL/MariaDB (pdo_mysql): for
 * applications that hold a PDO. Errors are returned, never thrown or
 * printed, whatever the connection's error mode.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Pdo_Database implements Database {

	private \PDO $pdo;
	private string $error = '';

	public function __construct( \PDO $pdo ) {
		$this->pdo = $pdo;
	}

	/** PDO::exec() or PDO::query(): its result, or false with the error kept. */
	private function run( string $method, string $sql ): int|\PDOStatement|false {
		$this->error = '';
		try {
			$result = $this->pdo->$method( $sql );
		} catch ( \PDOException $e ) {
			$result = false;
		}
		if ( false === $result ) {
			$this->error = (string) ( $this->pdo->errorInfo()[2] ?? 'unknown error' );
		}
		return $result;
	}

	public function execute( string $sql ): int|false {
		return $this->run( 'exec', $sql );
	}

	public function rows( string $sql ): array {
		$statement = $this->run( 'query', $sql );
		if ( false === $statement ) {
			return array();
		}
		// Strings (or null), as mysqli and wpdb give them, whatever the driver's native types.
		return array_map(
			static function ( array $row ): array {
				return array_map(
					static function ( mixed $value ): ?string {
						return null === $value ? null : (string) $value;
					},
					$row
				);
			},
			$statement->fetchAll( \PDO::FETCH_ASSOC )
		);
	}

	public function quote( string $value ): string {
		return $this->pdo->quote( $value );
	}

	public function insert_id(): int {
		return (int) $this->pdo->lastInsertId();
	}

	public function last_error(): string {
		return $this->error;
	}
}
