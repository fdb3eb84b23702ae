<?php
/**
 * The plain PHP command line entry (cli.php): loads WordPress fully (so code
 * sources and handlers are registered) and drains the queue.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Cli {

	const USAGE = "usage: php cli.php drain|status|nginx [--path=WORDPRESS_DIR] [--batch=N] [--lease=SECONDS] [--time-limit=SECONDS] [--write-retry=SECONDS]\n";

	/** @return array|int The parsed command, or an exit code. */
	public static function parse( array $argv ): array|int {
		$command = isset( $argv[1] ) ? $argv[1] : '';
		$opts    = array();
		foreach ( array_slice( $argv, 2 ) as $arg ) {
			if ( ! preg_match( '/^--([a-z-]+)=(.*)$/', $arg, $m ) ) {
				fwrite( STDERR, self::USAGE );
				return 2;
			}
			$opts[ $m[1] ] = $m[2];
		}
		if ( ! in_array( $command, array( 'drain', 'status', 'nginx' ), true ) ) {
			fwrite( STDERR, self::USAGE );
			return 2;
		}
		$wp_load = self::find_wp_load( isset( $opts['path'] ) ? $opts['path'] : getenv( 'HOOKGUARD_WP_PATH' ) );
		if ( null === $wp_load ) {
			fwrite( STDERR, "hookguard: WordPress not found; pass --path=/path/to/wordpress\n" );
			return 2;
		}
		return array(
			'command' => $command,
			'options' => $opts,
			'wp_load' => $wp_load,
		);
	}

	/**
	 * Before WordPress loads: a request environment, and wp_die() (a database
	 * that cannot be reached) thrown as Store_Error, which cli.php turns into
	 * one line on stderr and exit status 1, instead of an HTML page on stdout
	 * and status 0.
	 */
	public static function prepare_environment(): void {
		$_SERVER['HTTP_HOST']   = isset( $_SERVER['HTTP_HOST'] ) ? $_SERVER['HTTP_HOST'] : 'localhost';
		$_SERVER['REQUEST_URI'] = isset( $_SERVER['REQUEST_URI'] ) ? $_SERVER['REQUEST_URI'] : '/';
		if ( ! defined( 'DOING_CRON' ) ) {
			define( 'DOING_CRON', true ); // Keeps WordPress from spawning WP-Cron from this process.
		}
		define( 'HOOKGUARD_CLI', true ); // The db-error.php drop-in throws rather than print a page.
		Wp_Die::preset( Wp_Die::thrower(), 'hookguard-cli' );
	}

	/** Runs the command in the loaded WordPress; returns the exit code. */
	public static function run( array $cli ): int {
		if ( ! class_exists( Plugin::class, false ) || null === Plugin::$file ) {
			fwrite( STDERR, "hookguard: the HookGuard plugin is not active on this site\n" );
			return 1;
		}
		$store = new Queue_Store();
		if ( 'status' === $cli['command'] ) {
			list( $spooled, $bytes ) = ( new Spool( Spool::default_dir( $_SERVER ) ) )->usage();
			echo json_encode( $store->counts() + array( 'spooled' => $spooled, 'spool_bytes' => $bytes, 'rate_limiter' => Limiter::for_site()->mode() ) ), "\n";
			return 0;
		}
		if ( 'nginx' === $cli['command'] ) {
			if ( null === Fast_Path::key() ) {
				fwrite( STDERR, "hookguard: no encryption key (define HOOKGUARD_ENCRYPTION_KEY or the WordPress salts)\n" );
				return 1;
			}
			echo Fast_Path::nginx_location();
			return 0;
		}
		$opts           = $cli['options'];
		$worker_options = array( 'time_limit' => isset( $opts['time-limit'] ) ? (float) $opts['time-limit'] : 0 );
		foreach ( array( 'batch', 'lease' ) as $key ) {
			if ( isset( $opts[ $key ] ) ) {
				$worker_options[ $key ] = (int) $opts[ $key ];
			}
		}
		if ( isset( $opts['write-retry'] ) ) {
			$worker_options['write_retry'] = (float) $opts['write-retry'];
		}
		$started          = microtime( true );
		$stats            = Plugin::worker( $store, $worker_options )->run();
		$stats['outbox']  = Outbox::drain( $worker_options ); // The sending half (issue 8).
		$stats['seconds'] = round( microtime( true ) - $started, 3 );
		echo json_encode( $stats ), "\n";
		return 0;
	}

	private static function find_wp_load( string|false $path ): ?string {
		if ( is_string( $path ) && '' !== $path ) {
			$file = rtrim( $path, '/' ) . '/wp-load.php';
			return is_file( $file ) ? $file : null;
		}
		// As the fast path finds it: HOOKGUARD_WP_LOAD, else up from the script's (unresolved) path.
		return Fast_Path::find_wp_load( $_SERVER );
	}
}
