<?php
/**
 * The core's worker (HookGuard\Core\Worker) inside WordPress: its options
 * default to the plugin's settings, a delivery whose source has no handler
 * fires the "hookguard_process_{source}" and "hookguard_process" actions,
 * a handler's WP_Error is a failed attempt, and WordPress giving up on the
 * database (wp_die()) stops it with Store_Error instead of a page.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Worker extends Core\Worker {

	/** @var bool Whether a worker is running in this process (the db-error.php drop-in asks). */
	public static bool $running = false;

	public function __construct( Queue_Store $store, callable $sources, array $options = array(), ?Spool $spool = null ) {
		foreach ( array_keys( self::DEFAULTS ) as $key ) {
			$options[ $key ] = $options[ $key ] ?? Settings::get( $key );
		}
		parent::__construct( $store, $sources, $options, $spool );
	}

	/**
	 * @return array{completed:int,retried:int,failed:int,lost:int,reclaimed:int,released:int,spooled:int}
	 * @throws Store_Error When the database fails.
	 */
	public function run(): array {
		self::$running = true;
		$thrower       = Wp_Die::thrower(); // wp_die(): the database is gone for good.
		Wp_Die::add( $thrower );
		// wpdb gives up on a lost database through bail(), which calls wp_die()
		// (our thrower) only when it "shows errors"; otherwise it falls back to
		// dead_db(), whose require_once'd drop-in acts once and then exits 0.
		// Suppressed errors keep failed queries from printing all the same.
		$db      = $GLOBALS['wpdb'] ?? null;
		$restore = $db ? array( $db->show_errors, $db->suppress_errors ) : null;
		if ( $db ) {
			$db->show_errors     = true;
			$db->suppress_errors = true;
		}
		try {
			return parent::run();
		} finally {
			self::$running = false;
			Wp_Die::remove( $thrower );
			if ( $db ) {
				list( $db->show_errors, $db->suppress_errors ) = $restore;
			}
		}
	}

	/** Calls the source's handler, or fires the actions when it has none. */
	protected function dispatch( Source $source, Delivery $delivery ): void {
		if ( $source->handler ) {
			$result = call_user_func( $source->handler, $delivery );
			if ( is_wp_error( $result ) ) {
				throw new \RuntimeException( $result->get_error_message() );
			}
			if ( false === $result ) {
				throw new \RuntimeException( 'The handler returned false.' );
			}
			return;
		}
		$action = 'hookguard_process_' . $source->name;
		if ( ! has_action( $action ) && ! has_action( 'hookguard_process' ) ) {
			throw new \RuntimeException( "Nothing handles this source: give it a \"handler\" or hook the \"$action\" or \"hookguard_process\" action." );
		}
		do_action( $action, $delivery );
		do_action( 'hookguard_process', $delivery );
	}
}
