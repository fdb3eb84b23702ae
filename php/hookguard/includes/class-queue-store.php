<?php
/**
 * The core's queue store (HookGuard\Core\Queue_Store, which owns every SQL
 * statement) on this WordPress site: the table {$wpdb->prefix}hookguard_queue
 * through $wpdb, or through the fast path's own connection (Direct_Db), its
 * schema kept current with dbDelta and a version option.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Queue_Store extends Core\Queue_Store {

	const VERSION_OPTION = 'hookguard_db_version';

	/** @var \wpdb|Direct_Db */
	private object $wpdb;

	/** @param \wpdb|Direct_Db|null $db Default: $wpdb. */
	public function __construct( ?object $db = null ) {
		$this->wpdb = $db ? $db : $GLOBALS['wpdb'];
		parent::__construct( $this->wpdb instanceof Core\Database ? $this->wpdb : new Wpdb_Database( $this->wpdb ), $this->wpdb->prefix . 'hookguard_queue' );
	}

	/** Creates or upgrades the table with dbDelta and records the schema version. */
	public function install( string $charset = '' ): void {
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		dbDelta( $this->schema( $this->wpdb->get_charset_collate() ) . ';' );
		update_option( self::VERSION_OPTION, self::SCHEMA_VERSION );
	}

	public function maybe_upgrade(): void {
		if ( get_option( self::VERSION_OPTION ) !== self::SCHEMA_VERSION ) {
			$this->install();
		}
	}

	public function drop(): void {
		parent::drop();
		delete_option( self::VERSION_OPTION );
	}
}
