<?php
/**
 * The fast path: receive.php answers deliveries without booting WordPress.
 *
 * It decides with the same Receiver as the REST route, from a configuration
 * kept in APCu for one second, sealed under the site's fast-path key (see
 * Fast_Path_Cache). nginx passes that key as the fastcgi_param
 * HOOKGUARD_FAST_PATH_KEY from the documented location; a request without
 * it (receive.php reached at its plugin URL through a generic PHP location)
 * is refused 403, and one with a wrong key is refused once WordPress says
 * what the key is. While the configuration is cached, rejections and pings
 * touch neither WordPress nor the database, and a delivery to store uses
 * the worker's persistent database connection (Direct_Db) for its INSERT.
 *
 * Where the configuration comes from when it is not cached, or when a
 * delivery would be refused with it:
 *   - a full WordPress load (plugins and their "init": sources registered
 *     in code are current), at most once per second per site (the refresh
 *     budget), so a flood of forged requests costs one load a second;
 *   - else WordPress's SHORTINIT core: the configuration the plugin last
 *     compiled into an option.
 * An answer that newer configuration could change (unknown source, failed
 * verification, ignored topic, no usable secret, too large) is given only
 * after a refresh, or when the refresh budget for this configuration is
 * spent (it was re-checked moments ago). A configuration that expired
 * less than REFRESH_WAIT seconds ago is still used while one request
 * refreshes it after sending its answer (or before, when its own answer
 * would be a refusal); a request that finds none at all while another one
 * is being loaded waits for it.
 *
 * WordPress must load in the global scope (wp-config.php and plugins
 * expect it), so receive.php drives this class: next() returns the
 * wp-load.php to require, or null once the request is answered.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Fast_Path {

	/** The REST URL's path that nginx routes here. */
	const RECEIVE_PATH = '#/hookguard/v1/receive(?:/([^/]*))?/?$#';
	/** The server variable (a fastcgi_param) holding the site's fast-path key. */
	const KEY_PARAM = 'HOOKGUARD_FAST_PATH_KEY';
	/**
	 * Full WordPress loads for a fresh configuration, per site and
	 * configuration version: REFRESH_BURST at once, then one per second.
	 */
	const REFRESH_PERIOD = 1;
	const REFRESH_BURST  = 2;

	private array $server;
	/** The key nginx passed. */
	private string $site_key = '';
	private ?Fast_Path_Cache $cache = null;
	private ?array $config = null;
	/** "" (not booted), "full" or "shortinit". */
	private string $booted = '';
	/** The body read so far, and the most bytes asked for. */
	private ?string $body = null;
	private int $body_limit = -1;
	/** Whether the database failed in this request (then deliveries are spooled). */
	private bool $database_down = false;
	/** The store this request wrote to, for replaying the spool afterwards. */
	private ?Queue_Store $store = null;
	/** The receiver of the last decision (to finalize a provisional answer). */
	private ?Receiver $receiver = null;
	/** Whether the answer was sent (a WordPress load after it only refreshes the cache). */
	private bool $answered = false;

	public function __construct( array $server ) {
		$this->server = $server;
	}

	/** The site's fast-path key (for the nginx location), or null without key material. */
	public static function key(): ?string {
		$key = Crypto::key();
		return null === $key ? null : hash_hmac( 'sha256', 'hookguard fast path key v1', $key );
	}

	/** The nginx location to give the site owner, with this site's key. */
	public static function nginx_location( string $script = '$document_root/wp-content/plugins/hookguard/receive.php', string $fpm = 'unix:/run/php/php8.2-fpm.sock' ): string {
		$template = (string) file_get_contents( dirname( __DIR__ ) . '/fast-path.nginx.conf' );
		return strtr(
			$template,
			array(
				'$document_root/wp-content/plugins/hookguard/receive.php' => $script,
				'unix:/run/php/php8.2-fpm.sock'                           => $fpm,
				'PASTE-THE-KEY-FROM-HOOKGUARD-SOURCES'                    => (string) self::key(),
			)
		);
	}

	/**
	 * One step: the wp-load.php to require (in the global scope, then call
	 * next() again), or null once the request is answered.
	 */
	public function next(): ?string {
		return '' === $this->booted ? $this->start() : $this->after_boot();
	}

	private function start(): ?string {
		$given = $this->server[ self::KEY_PARAM ] ?? '';
		if ( ! is_string( $given ) || strlen( $given ) < 32 ) {
			Response::error( 403, 'fast_path_forbidden' )->send();
			return null;
		}
		$this->site_key = $given;
		$this->cache    = Fast_Path_Cache::available() ? new Fast_Path_Cache( $given ) : null;
		$this->config   = $this->cache ? $this->cache->fetch() : null;
		$refresh_after  = false;
		if ( null === $this->config && $this->cache ) {
			// Expired moments ago: still used while one request refreshes it
			// after answering, so no request waits for that WordPress load.
			$this->config  = $this->cache->fetch( Fast_Path_Cache::TTL + Fast_Path_Cache::REFRESH_WAIT );
			$refresh_after = null !== $this->config && $this->cache->claim_refresh();
		}
		if ( null !== $this->config ) {
			$response = $this->decide( false );
			if ( $response->provisional && ( $refresh_after || $this->refresh_allowed() ) ) {
				return $this->boot( true ); // Decided again once WordPress says what the code holds now.
			}
			// A provisional refusal without a refresh was re-checked moments ago:
			// final now, with no waiting (a flood of forged requests would stall the pool).
			$this->finish( $response->provisional ? $this->receiver->finalize( $response ) : $response, $refresh_after );
			return $refresh_after ? $this->boot( true ) : null;
		}
		if ( $this->cache && $this->cache->database_down() ) {
			// The database failed a moment ago: no WordPress load, the spool takes verified deliveries.
			$this->answer_without_database();
			return null;
		}
		$started = microtime( true );
		$full    = $this->refresh_allowed();
		$fresh   = ! $full && $this->cache ? $this->cache->await_refresh( $started ) : null;
		if ( null !== $fresh ) {
			$this->config = $fresh;
			$this->finish( $this->decide( true ) );
			return null;
		}
		return $this->boot( $full );
	}

	/**
	 * The wp-load.php to require: a full load (a fresh configuration) or a
	 * SHORTINIT one (the compiled configuration).
	 */
	private function boot( bool $full ): ?string {
		$wp_load = self::find_wp_load( $this->server );
		if ( null === $wp_load ) {
			if ( ! $this->answered ) {
				Response::error( 503, 'store_unavailable', array( 'Retry-After' => '30' ) )->send();
			}
			return null;
		}
		if ( $full && $this->cache ) {
			$this->cache->mark_refreshing();
		}
		$this->booted = $full ? 'full' : 'shortinit';
		$this->prepare_boot( $full );
		return $wp_load;
	}

	/**
	 * WordPress has loaded: the configuration it holds is cached, then the
	 * request is decided with it (unless it was answered before the load,
	 * which only refreshed the cache).
	 */
	private function after_boot(): ?string {
		$expected = self::key();
		if ( null === $expected || ! hash_equals( $expected, $this->site_key ) ) {
			if ( ! $this->answered ) {
				Response::error( 403, 'fast_path_forbidden' )->send();
			}
			return null;
		}
		if ( ! isset( $GLOBALS['wpdb'] ) || ! $GLOBALS['wpdb']->ready || ! empty( $GLOBALS['wpdb']->error ) ) {
			// WordPress loaded without its database (no wp_die() on this path): never cache that.
			if ( ! $this->answered ) {
				$this->answer_without_database();
			}
			return null;
		}
		$GLOBALS['wpdb']->hide_errors();
		$this->config = $this->load_config();
		if ( $this->cache ) {
			$this->cache->store( $this->config );
			if ( 'full' === $this->booted ) {
				$this->cache->refreshed();
			}
		}
		if ( 'full' === $this->booted && function_exists( 'do_action' ) ) {
			do_action( 'hookguard_fast_path_refreshed' );
		}
		if ( ! $this->answered ) {
			$this->finish( $this->decide( true ) );
		}
		return null;
	}

	/**
	 * Whether this request may load WordPress fully for a fresh
	 * configuration: REFRESH_BURST at once, then one per REFRESH_PERIOD, per
	 * site and configuration version (counted in the extension's shared
	 * table, else in APCu). A flood of forged requests against an unchanged
	 * configuration costs one load a second; a configuration that changed
	 * gets its refresh at once, unless that version was re-checked twice in
	 * the last two seconds (then within a second).
	 */
	private function refresh_allowed(): bool {
		$version = null === $this->config ? 'cold' : $this->config['version'];
		$limiter = new Core\Limiter( $this->config['refresh_namespace'] ?? self::refresh_namespace( $this->site_key ) );
		return $limiter->allow( 'refresh:' . $version, self::REFRESH_BURST, self::REFRESH_BURST * self::REFRESH_PERIOD, false );
	}

	private function decide( bool $final ): Response {
		$config = $this->config;
		$name   = self::source_name( $this->server );
		// Each source is kept serialized on its own: only the one asked for is decoded.
		$data   = isset( $config['sources'][ $name ] ) ? self::unpack( $config['sources'][ $name ] ) : null;
		$source = is_array( $data ) ? Source::from_array( $data ) : null;
		// Storing needs the database: $wpdb when WordPress is loaded, else a
		// direct connection with the parameters WordPress resolved.
		$store    = function (): ?Queue_Store {
			return $this->store();
		};
		$request  = Request::from_globals( $name, $this->server, $this->body( $source ? (int) $source->max_body : 0 ) );
		$this->receiver = new Receiver(
			static function ( string $wanted ) use ( $name, $source ): ?Source {
				return $wanted === $name ? $source : null;
			},
			new Client_Ip( $config['trusted_proxies'] ),
			$store,
			new Core\Limiter( $config['limiter'], $config['redis'] ?? null ),
			static function () use ( $config ): Spool {
				return new Spool( $config['spool'] ); // Loaded only when the database cannot take a delivery.
			}
		);
		return $this->receiver->receive( $request, $final );
	}

	/**
	 * The body, read up to $max + 1 bytes (one more than a source accepts
	 * is enough to answer 413), and not at all for an unknown source.
	 */
	private function body( int $max ): string {
		if ( $max > $this->body_limit ) {
			$this->body_limit = $max;
			$length           = $this->server['CONTENT_LENGTH'] ?? '';
			$this->body       = ctype_digit( (string) $length ) && (int) $length > $max ? '' : (string) file_get_contents( 'php://input', false, null, 0, $max + 1 );
		}
		return (string) $this->body;
	}

	/**
	 * Sends the answer, then with the sender already answered: after a
	 * delivery was queued, moves what the spool holds into the queue (the
	 * database is back) and kicks the worker; with $then_refresh, lets the
	 * caller load WordPress for a fresh configuration.
	 */
	private function finish( Response $response, bool $then_refresh = false ): void {
		$response->send();
		$this->answered = true;
		$detach         = function_exists( 'fastcgi_finish_request' );
		if ( $detach && ( $response->queued || $then_refresh ) ) {
			fastcgi_finish_request();
		}
		if ( ! $detach || ! $response->queued ) {
			return;
		}
		if ( $this->store && is_dir( $this->config['spool'] ) && glob( $this->config['spool'] . '/*.rec' ) ) {
			( new Spool( $this->config['spool'] ) )->replay( $this->store );
		}
		if ( $this->config['kick'] ) {
			Kicker::kick( $this->config['drain_url'], $this->config['drain_key'], new Core\Limiter( $this->config['limiter'], $this->config['redis'] ?? null ) );
		}
	}

	/** Drops this site's cached configuration (called when it changes). */
	public static function forget_cache(): void {
		$key = self::key();
		if ( null !== $key && Fast_Path_Cache::available() ) {
			( new Fast_Path_Cache( $key ) )->forget();
		}
	}

	/**
	 * The source named in the URL, decoded once: /wp-json/hookguard/v1/receive/{source},
	 * receive.php/{source} or receive.php?source={source}.
	 */
	public static function source_name( array $server ): string {
		$path = isset( $server['REQUEST_URI'] ) ? (string) parse_url( $server['REQUEST_URI'], PHP_URL_PATH ) : '';
		if ( preg_match( self::RECEIVE_PATH, $path, $m ) ) {
			return rawurldecode( $m[1] ?? '' );
		}
		// ?rest_route=/hookguard/v1/receive/{source}: PHP decoded it once already.
		if ( isset( $_GET['rest_route'] ) && is_string( $_GET['rest_route'] ) && preg_match( self::RECEIVE_PATH, $_GET['rest_route'], $m ) ) { // phpcs:ignore WordPress.Security.NonceVerification
			return $m[1] ?? '';
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
	public static function find_wp_load( array $server ): ?string {
		$given = $server['HOOKGUARD_WP_LOAD'] ?? getenv( 'HOOKGUARD_WP_LOAD' );
		if ( is_string( $given ) && '' !== $given && is_file( $given ) ) {
			return $given;
		}
		$dir = isset( $server['SCRIPT_FILENAME'] ) ? dirname( $server['SCRIPT_FILENAME'] ) : __DIR__;
		for ( $up = 0; $up < 8; $up++ ) {
			if ( is_file( $dir . '/wp-load.php' ) ) {
				return $dir . '/wp-load.php';
			}
			if ( '/' === $dir || '.' === $dir ) {
				break;
			}
			$dir = dirname( $dir );
		}
		$root = isset( $server['DOCUMENT_ROOT'] ) ? rtrim( $server['DOCUMENT_ROOT'], '/' ) . '/wp-load.php' : '';
		return '' !== $root && is_file( $root ) ? $root : null;
	}

	/**
	 * Before WordPress loads: SHORTINIT unless a full load was chosen;
	 * database timeouts, so a frozen database costs a bounded time; and
	 * wp_die() (a database that cannot be reached, through whichever handler
	 * WordPress picks for the request's content type) answered here.
	 */
	private function prepare_boot( bool $full ): void {
		if ( ! $full && ! defined( 'SHORTINIT' ) ) {
			define( 'SHORTINIT', true );
		}
		ini_set( 'default_socket_timeout', (string) Direct_Db::CONNECT_TIMEOUT ); // mysqlnd's connect timeout.
		ini_set( 'mysqlnd.net_read_timeout', (string) Direct_Db::READ_TIMEOUT );
		$fast_path = $this;
		$die       = static function () use ( $fast_path ): \Closure {
			return static function () use ( $fast_path ): never {
				while ( ob_get_level() ) {
					ob_end_clean();
				}
				$fast_path->answer_without_database();
				exit;
			};
		};
		Wp_Die::preset( $die, 'hookguard' );
	}

	/**
	 * WordPress could not load because the database is down: the delivery is
	 * decided with the last configuration this site sealed (up to
	 * STALE_TTL old) and spooled; 503 only without one or a usable spool.
	 */
	public function answer_without_database(): void {
		$this->database_down = true;
		$stale               = $this->cache ? $this->cache->fetch( Fast_Path_Cache::STALE_TTL ) : null;
		if ( $this->cache ) {
			$this->cache->mark_database_down();
		}
		if ( null === $stale ) {
			Response::error( 503, 'store_unavailable', array( 'Retry-After' => '30' ) )->send();
			return;
		}
		$this->config = $stale;
		$this->booted = '';
		$this->finish( $this->decide( true ) );
	}

	/** Whether this request is a delivery to HookGuard's receive route (either URL form). */
	public static function is_receive_request( array $server, array $query ): bool {
		$path = (string) parse_url( (string) ( $server['REQUEST_URI'] ?? '' ), PHP_URL_PATH );
		return (bool) preg_match( self::RECEIVE_PATH, $path ) || ( isset( $query['rest_route'] ) && is_string( $query['rest_route'] ) && preg_match( self::RECEIVE_PATH, $query['rest_route'] ) );
	}

	/**
	 * For the REST route when WordPress cannot reach the database (the
	 * db-error.php drop-in): the same as the fast path does then, with the
	 * site key derived from wp-config.php.
	 */
	public static function answer_while_database_down( array $server ): void {
		$key = self::key();
		if ( null === $key ) {
			Response::error( 503, 'store_unavailable', array( 'Retry-After' => '30' ) )->send();
			return;
		}
		$fast_path           = new self( $server );
		$fast_path->site_key = $key;
		$fast_path->cache    = Fast_Path_Cache::available() ? new Fast_Path_Cache( $key ) : null;
		$fast_path->answer_without_database();
	}

	/** The queue store, or null when the database cannot be reached (then the spool takes the delivery). */
	private function store(): ?Queue_Store {
		if ( $this->database_down || ( $this->cache && $this->cache->database_down() ) ) {
			return null;
		}
		if ( '' !== $this->booted ) {
			$this->store = isset( $GLOBALS['wpdb'] ) && $GLOBALS['wpdb']->ready ? new Queue_Store() : null;
		} else {
			$db          = new Direct_Db( self::unpack( $this->config['db'] ) );
			$this->store = $db->ready() ? new Queue_Store( $db ) : null;
		}
		if ( null === $this->store ) {
			$this->database_down = true;
			if ( $this->cache ) {
				$this->cache->mark_database_down();
			}
		}
		return $this->store;
	}

	/**
	 * The configuration, from the live registry after a full load (then
	 * confirmed against the code now) or from the compiled option after a
	 * SHORTINIT one. Without the plugin active there are no sources.
	 */
	private function load_config(): array {
		$full     = 'full' === $this->booted;
		$sources  = array();
		$snapshot = $full ? ( null !== Plugin::$file ? Source_Registry::snapshot() : null ) : ( self::plugin_active( $this->server ) ? Source_Registry::load_compiled() : null );
		if ( $snapshot ) {
			$sources = $snapshot['sources'];
		}
		$settings = Settings::all();
		return array(
			// Each source, and the database's parameters, serialized on their own:
			// a request decodes only the source it names, and the parameters
			// only to store a delivery.
			'sources'            => array_map( 'serialize', $sources ),
			'trusted_proxies'    => $settings['trusted_proxies'],
			'kick'               => (bool) $settings['kick'],
			'drain_url'          => Kicker::target(),
			'drain_key'          => Kicker::key(),
			'limiter'            => Limiter::site_namespace(),
			'redis'              => Redis_Limiter::configured(),
			'spool'              => Spool::default_dir( $this->server ),
			'db'                 => serialize( self::db_params( $GLOBALS['wpdb'] ) ),
			'confirmed_at'       => $full ? microtime( true ) : 0.0,
			// Names the configuration, and the site's scope, for the refresh budget (computed here, not per request).
			'version'            => substr( hash( 'sha256', serialize( $sources ) ), 0, 16 ),
			'refresh_namespace'  => self::refresh_namespace( $this->site_key ),
		);
	}

	/** A part of the configuration kept serialized on its own (see load_config()); sealed by this site, so no objects. */
	private static function unpack( string $serialized ): mixed {
		return unserialize( $serialized, array( 'allowed_classes' => false ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions -- sealed by this site, no objects.
	}

	/** The refresh budget's namespace in the shared rate-limiter table: derived from the site's key, so no other site can spend it. */
	private static function refresh_namespace( #[\SensitiveParameter] string $site_key ): string {
		return substr( hash_hmac( 'sha256', 'hookguard fast path refresh', $site_key ), 0, 20 );
	}

	/** Whether the plugin that holds this receive.php is active (SHORTINIT has no plugin API). */
	private static function plugin_active( array $server ): bool {
		$folder = basename( dirname( $server['SCRIPT_FILENAME'] ?? __DIR__ . '/x' ) );
		$file   = $folder . '/hookguard.php';
		if ( in_array( $file, (array) get_option( 'active_plugins', array() ), true ) ) {
			return true;
		}
		return function_exists( 'get_site_option' ) && isset( ( (array) get_site_option( 'active_sitewide_plugins', array() ) )[ $file ] );
	}

	/** How WordPress connects (wpdb::db_connect()), for Direct_Db. */
	private static function db_params( \wpdb $wpdb ): array {
		list( $host, $port, $socket, $is_ipv6 ) = $wpdb->parse_db_host( DB_HOST );
		return array(
			'host'       => $is_ipv6 && extension_loaded( 'mysqlnd' ) ? "[$host]" : $host,
			'port'       => null === $port ? null : (int) $port,
			'socket'     => $socket,
			'user'       => DB_USER,
			'password'   => DB_PASSWORD,
			'name'       => DB_NAME,
			'flags'      => defined( 'MYSQL_CLIENT_FLAGS' ) ? MYSQL_CLIENT_FLAGS : 0,
			'charset'    => (string) $wpdb->charset,
			'persistent' => ! defined( 'HOOKGUARD_PERSISTENT_DB' ) || HOOKGUARD_PERSISTENT_DB,
			'prefix'     => $wpdb->prefix,
		);
	}
}
