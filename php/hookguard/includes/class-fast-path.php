<?php
/**
 * The fast path: receive.php answers deliveries without booting WordPress.
 *
 * It decides with the same Receiver as the REST route, from the
 * configuration the plugin compiled (Source_Registry::compile()). That
 * configuration, with the database parameters WordPress resolved, is read by
 * loading WordPress's SHORTINIT core ($wpdb and options; no plugins, no
 * theme) and kept in APCu for one second per PHP-FPM pool. While it is
 * cached, rejections (405, 404, 413, 400, 401, 429) and WooCommerce pings
 * touch neither WordPress nor the database, and a delivery to be stored
 * opens one direct database connection (Direct_Db) for its INSERT. Without
 * APCu every request loads the SHORTINIT core first: same answers, slower.
 *
 * The cache holds the sources' secrets and the database password in the
 * pool's shared memory, never on disk: give each site its own PHP-FPM pool
 * (as for APCu generally). Saving settings clears it at once in the pool
 * that saved; other pools (and the CLI) see changes within one second.
 *
 * nginx sends the REST URL here (see the README); the script also answers
 * at its own URL with the source as path info or ?source=.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Fast_Path {

	const CACHE_TTL = 1;

	public static function run() {
		$server = $_SERVER;
		$script = isset( $server['SCRIPT_FILENAME'] ) ? $server['SCRIPT_FILENAME'] : __FILE__;
		$key    = 'hookguard:fast:' . md5( $script );
		$apcu   = function_exists( 'apcu_fetch' ) && apcu_enabled();
		$config = $apcu ? apcu_fetch( $key ) : false;
		$booted = false;
		// APCu's own TTL counts whole seconds (up to one more); the age check is exact.
		if ( ! is_array( $config ) || microtime( true ) - $config['cached_at'] > self::CACHE_TTL ) {
			$wp_load = self::find_wp_load( $server );
			if ( null === $wp_load ) {
				( Response::error( 503, 'store_unavailable', array( 'Retry-After' => '30' ) ) )->send();
				return;
			}
			self::boot( $wp_load );
			$booted = true;
			$config = self::load_config();
			if ( $apcu ) {
				apcu_store( $key, $config, self::CACHE_TTL + 1 );
				self::remember_key( $key );
			}
		}

		$sources = static function ( $name ) use ( $config ) {
			return isset( $config['sources'][ $name ] ) ? Source::from_array( $config['sources'][ $name ] ) : null;
		};
		// Storing needs the database: $wpdb when WordPress was loaded for the
		// cache, else a direct connection with the parameters WordPress resolved.
		$store = static function () use ( $booted, $config ) {
			if ( $booted ) {
				return isset( $GLOBALS['wpdb'] ) && $GLOBALS['wpdb']->ready ? new Queue_Store() : null;
			}
			$db = new Direct_Db( $config['db'] );
			return $db->ready() ? new Queue_Store( $db ) : null;
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

	/** The APCu key listing this site's fast-path cache entries. */
	private static function site_key() {
		return 'hookguard:site:' . md5( (string) realpath( ABSPATH ) );
	}

	private static function remember_key( $key ) {
		$keys = apcu_fetch( self::site_key() );
		$keys = is_array( $keys ) ? $keys : array();
		if ( ! in_array( $key, $keys, true ) ) {
			$keys[] = $key;
			apcu_store( self::site_key(), $keys );
		}
	}

	/** Drops the cached configuration (called when it changes, in this PHP pool). */
	public static function forget_cache() {
		if ( ! function_exists( 'apcu_fetch' ) || ! apcu_enabled() ) {
			return;
		}
		$keys = apcu_fetch( self::site_key() );
		foreach ( is_array( $keys ) ? $keys : array() as $key ) {
			apcu_delete( $key );
		}
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
			'db'              => self::db_params( $GLOBALS['wpdb'] ),
			'sources'         => $compiled ? $compiled['sources'] : array(),
			'trusted_proxies' => $compiled ? $compiled['trusted_proxies'] : array(),
			'kick'            => $compiled ? (bool) $compiled['kick'] : false,
			'drain_url'       => $compiled ? $compiled['drain_url'] : '',
			'drain_token'     => Kicker::token(),
			'cached_at'       => microtime( true ),
		);
	}

	/** How WordPress connects (wpdb::db_connect()), for Direct_Db. */
	private static function db_params( $wpdb ) {
		list( $host, $port, $socket, $is_ipv6 ) = $wpdb->parse_db_host( DB_HOST );
		return array(
			'host'     => $is_ipv6 && extension_loaded( 'mysqlnd' ) ? "[$host]" : $host,
			'port'     => null === $port ? null : (int) $port,
			'socket'   => $socket,
			'user'     => DB_USER,
			'password' => DB_PASSWORD,
			'name'     => DB_NAME,
			'flags'    => defined( 'MYSQL_CLIENT_FLAGS' ) ? MYSQL_CLIENT_FLAGS : 0,
			'charset'  => (string) $wpdb->charset,
			'collate'  => (string) $wpdb->collate,
			'prefix'   => $wpdb->prefix,
		);
	}
}
