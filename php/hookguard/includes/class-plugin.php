<?php
/**
 * Wires HookGuard into WordPress: hooks, schedules, activation.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Plugin {

	const CRON_DRAIN    = 'hookguard_drain';
	const CRON_CLEANUP  = 'hookguard_cleanup';
	const CRON_INTERVAL = 'hookguard_every_minute';

	/** Main plugin file (null until boot()). */
	public static ?string $file = null;

	public static function boot( string $file ): void {
		self::$file = $file;
		register_activation_hook( $file, array( self::class, 'activate' ) );
		register_deactivation_hook( $file, array( self::class, 'deactivate' ) );

		add_action( 'init', array( self::class, 'init' ), 0 );
		// After everyone's init callbacks: code sources are all registered.
		add_action( 'init', array( Source_Registry::class, 'compile' ), PHP_INT_MAX );
		add_action( 'update_option_' . Settings::OPTION, array( Source_Registry::class, 'compile' ) );
		add_action( 'update_option_' . Settings::OPTION, array( Fast_Path::class, 'forget_cache' ) );
		add_action( 'rest_api_init', array( Rest_Controller::class, 'register_routes' ) );
		add_filter( 'rest_pre_dispatch', array( Rest_Controller::class, 'pre_dispatch' ), 5, 3 );
		add_filter( 'cron_schedules', array( self::class, 'cron_schedules' ) );
		add_action( self::CRON_DRAIN, array( self::class, 'cron_drain' ) );
		add_action( self::CRON_CLEANUP, array( self::class, 'cron_cleanup' ) );
		add_filter( 'site_status_tests', array( Site_Health::class, 'register' ) );
		Sender_Plugin::boot(); // The sending half (issue 8): events, outbox, destinations, WooCommerce takeover.

		if ( is_admin() ) {
			Admin_Sources_Page::hook();
			Admin_Monitor_Page::hook();
			add_action( 'admin_notices', array( self::class, 'extension_notice' ) );
		}
	}

	public static function init(): void {
		( new Queue_Store() )->maybe_upgrade();
		if ( ! wp_next_scheduled( self::CRON_DRAIN ) ) {
			wp_schedule_event( time() + 60, self::CRON_INTERVAL, self::CRON_DRAIN );
		}
		if ( ! wp_next_scheduled( self::CRON_CLEANUP ) ) {
			wp_schedule_event( time() + 3600, 'daily', self::CRON_CLEANUP );
		}
	}

	/** The database-error drop-in HookGuard installs (see db-error.php). */
	public static function drop_in(): string {
		return WP_CONTENT_DIR . '/db-error.php';
	}

	/**
	 * Installs the drop-in unless another one is there (Site Health says so).
	 * A wp-content PHP cannot write is no reason to stop activating: the
	 * failure is logged, and Site Health reports the drop-in missing.
	 */
	public static function install_drop_in(): void {
		if ( file_exists( self::drop_in() ) ) {
			return;
		}
		if ( ! is_writable( dirname( self::drop_in() ) ) || ! copy( dirname( self::$file ) . '/db-error.php', self::drop_in() ) ) {
			Log::error( 'could not install the database-error drop-in at ' . self::drop_in() . ' (is wp-content writable?)' );
		}
	}

	public static function drop_in_is_ours(): bool {
		return is_file( self::drop_in() ) && false !== strpos( (string) file_get_contents( self::drop_in() ), 'HookGuard drop-in' );
	}

	public static function activate(): void {
		self::install_drop_in();
		( new Queue_Store() )->install();
		add_option( Settings::OPTION, Settings::DEFAULTS );
		Source_Registry::compile();
	}

	public static function deactivate(): void {
		if ( self::drop_in_is_ours() && ( ! is_writable( dirname( self::drop_in() ) ) || ! unlink( self::drop_in() ) ) ) {
			Log::error( 'could not remove the database-error drop-in at ' . self::drop_in() . ' (is wp-content writable?)' );
		}
		Source_Registry::forget_compiled();
		wp_clear_scheduled_hook( self::CRON_DRAIN );
		wp_clear_scheduled_hook( self::CRON_CLEANUP );
	}

	public static function cron_schedules( mixed $schedules ): mixed {
		$schedules[ self::CRON_INTERVAL ] = array(
			'interval' => 60,
			'display'  => __( 'Every minute (HookGuard queue)', 'hookguard' ),
		);
		return $schedules;
	}

	/** A worker with the site's settings, the live source registry and the spool. */
	public static function worker( ?Queue_Store $store = null, array $options = array() ): Worker {
		return new Worker( $store ? $store : new Queue_Store(), array( Source_Registry::class, 'get' ), $options, new Spool( Spool::default_dir( $_SERVER ) ) );
	}

	public static function cron_drain(): void {
		$store = new Queue_Store();
		if ( $store->try_lock( 'cron-worker' ) ) {
			try {
				self::worker( $store )->run();
			} catch ( Store_Error $e ) {
				Log::error( 'worker stopped: ' . $e->getMessage() );
			}
			Outbox::drain(); // The sending half (issue 8).
			$store->unlock( 'cron-worker' );
		}
	}

	public static function cron_cleanup(): void {
		( new Queue_Store() )->purge( 'completed', Settings::get( 'retention_days' ) );
	}

	/** Whether hookguard_* functions exist: the native extension's or the PHP implementation's. */
	public static function extension_loaded(): bool {
		return function_exists( 'hookguard_check' );
	}

	/** "native", "php" (php/compat), or "" (neither: deliveries are answered 503). */
	public static function implementation(): string {
		return defined( 'HOOKGUARD_IMPLEMENTATION' ) ? (string) HOOKGUARD_IMPLEMENTATION : '';
	}

	public static function extension_notice(): void {
		if ( 'native' === self::implementation() || ! current_user_can( 'manage_options' ) ) {
			return;
		}
		if ( 'php' === self::implementation() ) {
			echo '<div class="notice notice-info"><p>' . esc_html__( 'HookGuard runs its PHP implementation: every webhook is verified and queued as with the native hookguard extension. The extension would add speed (about 5× faster verification) and rate limits that are exact across every PHP worker of the host (see Tools → Site Health).', 'hookguard' ) . '</p></div>';
			return;
		}
		echo '<div class="notice notice-error"><p>' . esc_html__( 'HookGuard: neither the hookguard PHP extension nor its PHP implementation is available, so webhooks cannot be verified. Deliveries are answered 503 until one is installed (see Tools → Site Health).', 'hookguard' ) . '</p></div>';
	}
}
