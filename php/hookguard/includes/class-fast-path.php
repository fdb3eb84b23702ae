<?php
/**
 * The fast path: receive.php answers deliveries without booting WordPress.
 *
 * It reads the configuration that the plugin compiled (Source_Registry::
 * compile()) from APCu, where it is cached for one second per PHP-FPM pool,
 * and decides with the same Receiver as the REST route. Only a delivery to
 * be stored loads WordPress, and then only its SHORTINIT core ($wpdb and
 * options, no plugins or theme). Rejections (405, 404, 413, 400, 401, 429)
 * and WooCommerce pings never touch the database while the cache is warm.
 * Without APCu every request loads the SHORTINIT core first; answers are
 * the same, only slower.
 *
 * nginx sends the REST URL here (see the README); the script also answers
 * at its own URL with the source as path info or ?source=.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Fast_Path {

	const CACHE_TTL = 1;

	/** @var string|null */
	private static $prefix;

	public static function run() {
		$server  = $_SERVER;
		$wp_load = self::find_wp_load( $server );
		if ( null === $wp_load ) {
			( Response::error( 503, 'store_unavailable' ) )->send();
			return;
		}
		self::$prefix = 'hookguard:' . md5( (string) realpath( dirname( $wp_load ) ) ) . ':';

		$apcu   = function_exists( 'apcu_fetch' ) && apcu_enabled();
		$config = $apcu ? apcu_fetch( self::$prefix . 'config' ) : false;
		$booted = false;
		// APCu's own TTL counts whole seconds (up to one more); the age check is exact.
		if ( ! is_array( $config ) || microtime( true ) - $config['cached_at'] > self::CACHE_TTL ) {
			self::boot( $wp_load );
			$booted = true;
			$config = self::load_config();
			if ( $apcu ) {
				apcu_store( self::$prefix . 'config', $config, self::CACHE_TTL + 1 );
			}
		}

		$sources = static function ( $name ) use ( $config ) {
			return isset( $config['sources'][ $name ] ) ? Source::from_array( $config['sources'][ $name ] ) : null;
		};
		$store   = static function () use ( &$booted, $wp_load ) {
			if ( ! $booted ) {
				self::boot( $wp_load );
				$booted = true;
			}
			return isset( $GLOBALS['wpdb'] ) && $GLOBALS['wpdb']->ready ? new Queue_Store() : null;
		};

		$request  = Request::from_globals( self::source_name( $server ), $server, (string) file_get_contents( 'php://input' ) );
		$receiver = new Receiver( $sources, new Client_Ip( $config['trusted_proxies'] ), $store );
		$response = $receiver->receive( $request );
		$response->send();

		if ( $response->queued && $config['kick'] && function_exists( 'fastcgi_finish_request' ) ) {
			fastcgi_finish_request();
			Kicker::kick( $config['drain_url'], $config['drain_token'] );
		}
	}

	/** The APCu key prefix for this site (shared with the plugin, which clears it on save). */
	public static function cache_key_prefix() {
		if ( null === self::$prefix ) {
			self::$prefix = 'hookguard:' . md5( (string) realpath( ABSPATH ) ) . ':';
		}
		return self::$prefix;
	}

	/**
	 * The source named in the URL: /wp-json/hookguard/v1/receive/{source},
	 * receive.php/{source} or receive.php?source={source}.
	 */
	public static function source_name( array $server ) {
		$path = isset( $server['REQUEST_URI'] ) ? (string) parse_url( $server['REQUEST_URI'], PHP_URL_PATH ) : '';
		if ( preg_match( '#/hookguard/v1/receive(?:/([^/]*))?/?$#', $path, $m ) ) {
			return rawurldecode( isset( $m[1] ) ? $m[1] : '' );
		}
		if ( ! empty( $server['PATH_INFO'] ) ) {
			return trim( $server['PATH_INFO'], '/' );
		}
		return isset( $_GET['source'] ) && is_string( $_GET['source'] ) ? $_GET['source'] : ''; // phpcs:ignore WordPress.Security.NonceVerification -- a webhook, authenticated by its signature.
	}

	/**
	 * wp-load.php: from the HOOKGUARD_WP_LOAD server variable (a fastcgi_param),
	 * else the first one found walking up from the script's path (not its
	 * resolved path, so a symlinked plugin works), else the document root's.
	 */
	public static function find_wp_load( array $server ) {
		foreach ( array( 'HOOKGUARD_WP_LOAD' ) as $var ) {
			$given = isset( $server[ $var ] ) ? $server[ $var ] : getenv( $var );
			if ( is_string( $given ) && '' !== $given && is_file( $given ) ) {
				return $given;
			}
		}
		$dir = isset( $server['SCRIPT_FILENAME'] ) ? dirname( $server['SCRIPT_FILENAME'] ) : __DIR__;
		for ( $i = 0; $i < 8 && strlen( $dir ) > 1; $i++, $dir = dirname( $dir ) ) {
			if ( is_file( $dir . '/wp-load.php' ) ) {
				return $dir . '/wp-load.php';
			}
		}
		$root = isset( $server['DOCUMENT_ROOT'] ) ? rtrim( $server['DOCUMENT_ROOT'], '/' ) . '/wp-load.php' : '';
		return '' !== $root && is_file( $root ) ? $root : null;
	}

	/**
	 * Loads WordPress's SHORTINIT core. A database that cannot be reached
	 * makes WordPress call wp_die(); that is answered 503 here instead.
	 */
	private static function boot( $wp_load ) {
		if ( ! defined( 'SHORTINIT' ) ) {
			define( 'SHORTINIT', true );
		}
		$GLOBALS['wp_filter']['wp_die_handler'][10]['hookguard'] = array(
			'function'      => static function () {
				return static function () {
					while ( ob_get_level() ) {
						ob_end_clean();
					}
					( Response::error( 503, 'store_unavailable', array( 'Retry-After' => '30' ) ) )->send();
					exit;
				};
			},
			'accepted_args' => 1,
		);
		require_once $wp_load;
		if ( isset( $GLOBALS['wpdb'] ) ) {
			$GLOBALS['wpdb']->hide_errors();
		}
	}

	private static function load_config() {
		$compiled = Source_Registry::load_compiled();
		return array(
			'sources'         => $compiled ? $compiled['sources'] : array(),
			'trusted_proxies' => $compiled ? $compiled['trusted_proxies'] : array(),
			'kick'            => $compiled ? (bool) $compiled['kick'] : false,
			'drain_url'       => $compiled ? $compiled['drain_url'] : '',
			'drain_token'     => Kicker::token(),
			'cached_at'       => microtime( true ),
		);
	}
}
