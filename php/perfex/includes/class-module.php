<?php
/**
 * The Perfex module's wiring: activation (the queue table, utf8mb4, with
 * db_prefix()), deactivation, uninstall, the cron task, the admin menu, and
 * the core's receiver, store and worker built from Perfex's database and
 * options.
 *
 * @package HookGuard
 */

namespace HookGuard\Perfex;

use HookGuard\Core\Client_Ip;
use HookGuard\Core\Limiter;
use HookGuard\Core\Queue_Store;
use HookGuard\Core\Receiver;
use HookGuard\Core\Spool;
use HookGuard\Core\Store_Error;
use HookGuard\Core\Log;

final class Module {

	const NAME = 'hookguard';
	/** Options: the worker URL's key, trusted proxies (comma-separated CIDRs), the spool directory. */
	const WORKER_KEY_OPTION = 'hookguard_worker_key';
	const PROXIES_OPTION    = 'hookguard_trusted_proxies';
	const SPOOL_OPTION      = 'hookguard_spool_dir';
	/** Seconds a cron- or URL-started worker runs at most; days finished deliveries are kept. */
	const TIME_LIMIT     = 20;
	const RETENTION_DAYS = 14;

	public static function activate(): void {
		self::store()->install( 'DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci' );
		// add_option() leaves an existing option alone: reactivating keeps sources and the key.
		add_option( self::WORKER_KEY_OPTION, bin2hex( random_bytes( 24 ) ), 0 );
		add_option( Source_Registry::OPTION, '{}', 0 );
		add_option( self::PROXIES_OPTION, '', 0 );
		add_option( self::SPOOL_OPTION, '', 0 );
	}

	/** Deliveries stay queued; they are processed again once the module is active. */
	public static function deactivate(): void {
	}

	public static function uninstall(): void {
		self::store()->drop();
		foreach ( array( Source_Registry::OPTION, self::WORKER_KEY_OPTION, self::PROXIES_OPTION, self::SPOOL_OPTION ) as $name ) {
			delete_option( $name );
		}
	}

	public static function store(): Queue_Store {
		return new Queue_Store( new Ci_Database( get_instance()->db ), db_prefix() . 'hookguard_queue' );
	}

	/** Beside the CRM's folder (outside its web root), named per install, unless set. */
	public static function spool(): Spool {
		$dir = (string) get_option( self::SPOOL_OPTION );
		if ( '' === $dir ) {
			$root = rtrim( FCPATH, '/' );
			$dir  = dirname( $root ) . '/hookguard-spool-' . substr( md5( $root ), 0, 8 );
		}
		return new Spool( $dir );
	}

	public static function limiter(): Limiter {
		return new Limiter( substr( Secrets::mac( 'hookguard rate limiter namespace' ), 0, 20 ), defined( 'HOOKGUARD_REDIS' ) ? HOOKGUARD_REDIS : null );
	}

	public static function receiver(): Receiver {
		$proxies = array_values( array_filter( array_map( 'trim', explode( ',', (string) get_option( self::PROXIES_OPTION ) ) ) ) );
		return new Receiver(
			array( Source_Registry::class, 'get' ),
			new Client_Ip( $proxies ),
			array( self::class, 'store' ),
			self::limiter(),
			self::spool()
		);
	}

	/**
	 * Drains the queue for up to TIME_LIMIT seconds, one worker at a time
	 * per database (a named lock), after moving the spool's deliveries in.
	 *
	 * @return array The worker's counts, or array('error' => ...) .
	 */
	public static function drain( array $options = array() ): array {
		$store = self::store();
		if ( ! $store->try_lock( 'worker' ) ) {
			return array( 'error' => 'busy' );
		}
		try {
			return ( new Worker( $store, array( Source_Registry::class, 'get' ), $options + array( 'time_limit' => self::TIME_LIMIT ), self::spool() ) )->run();
		} catch ( Store_Error $e ) {
			Log::error( 'worker stopped: ' . $e->getMessage() );
			return array( 'error' => 'store_unavailable' );
		} finally {
			$store->unlock( 'worker' );
		}
	}

	/** Perfex's cron (register_cron_task): drain, then forget old finished deliveries. */
	public static function cron(): void {
		self::drain();
		try {
			self::store()->purge( 'completed', self::RETENTION_DAYS );
		} catch ( Store_Error $e ) {
			Log::error( 'purge failed: ' . $e->getMessage() );
		}
	}

	public static function admin_menu(): void {
		if ( function_exists( 'is_admin' ) && ! is_admin() ) {
			return;
		}
		get_instance()->app_menu->add_setup_menu_item(
			'hookguard',
			array(
				'name'     => 'HookGuard',
				'href'     => admin_url( 'hookguard' ),
				'position' => 65,
			)
		);
	}
}
