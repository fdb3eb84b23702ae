<?php
/**
 * The few things the core's stores need from a MySQL/MariaDB connection.
 * Adapters: the WordPress plugin's HookGuard\Wpdb_Database (over $wpdb);
 * HookGuard\Core\Mysqli_Database for anything holding a mysqli.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

interface Database {

	/** Runs a statement: rows affected, or false on error (the error kept for last_error(), never printed). */
	public function execute( string $sql ): int|bool;

	/** @return array<int,array<string,string|null>> The result rows of a SELECT (empty on error). */
	public function rows( string $sql ): array;

	/** $value as a quoted, escaped SQL string literal. */
	public function quote( string $value ): string;

	/** The AUTO_INCREMENT id of the last INSERT (or LAST_INSERT_ID(expr)). */
	public function insert_id(): int;

	public function last_error(): string;
}
