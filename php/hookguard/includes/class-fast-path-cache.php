<?php
/**
 * The fast path's configuration cache: one APCu entry per site, sealed.
 *
 * APCu memory belongs to the PHP-FPM master, not to a pool: every pool of
 * that master (on shared hosting, other customers' sites) can list, read and
 * overwrite every entry. So the entry is sealed with libsodium's secretbox
 * (XSalsa20-Poly1305) under a key derived from the site's fast-path key,
 * which only this site's nginx location and wp-config.php hold: other
 * tenants can neither read the secrets and database password inside nor
 * forge an entry. The entry's own time is inside the seal: an entry from
 * the future or older than TTL seconds is refused, so a tenant replaying an
 * old sealed entry gains at most its remaining second.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Fast_Path_Cache {

	/**
	 * Seconds a configuration is used before it is read again. Changes in
	 * code or secrets do not wait for it (a refusal refreshes first); it
	 * bounds how long settings saved in another pool, or a deactivation
	 * from the command line, take to reach this one.
	 */
	const TTL = 1;
	/** Seconds an older configuration may still verify deliveries while the database is down (they are spooled). */
	const STALE_TTL = 3600;
	/** Seconds the database is not tried again after it failed (then deliveries go straight to the spool). */
	const DOWN_FOR = 2;

	/** Seconds a refresh in flight may make other requests wait for it. */
	const REFRESH_WAIT = 2;

	private string $entry;
	private string $marker;
	private string $box_key;

	public function __construct( #[\SensitiveParameter] string $site_key ) {
		// One HMAC a request for both: the entry's name (16 bytes, public) and the seal's key (32 other bytes).
		// "v3" names the cached configuration's shape: change it when the shape changes.
		$derived       = hash_hmac( 'sha512', 'hookguard fast path cache v3', $site_key, true );
		$this->entry   = 'hookguard:fast:' . bin2hex( substr( $derived, 0, 16 ) );
		$this->marker  = $this->entry . ':refreshing';
		$this->box_key = substr( $derived, 32, 32 );
	}

	public static function available(): bool {
		return function_exists( 'apcu_fetch' ) && apcu_enabled() && function_exists( 'sodium_crypto_secretbox' );
	}

	/** The cached configuration, or null when absent, forged, older than $max_age or from the future. */
	public function fetch( float $max_age = self::TTL ): ?array {
		$config = $this->open( apcu_fetch( $this->entry ) );
		return is_array( $config ) && self::fresh( $config['cached_at'] ?? null, $max_age ) ? $config : null;
	}

	public function store( array $config ): void {
		$config['cached_at'] = microtime( true );
		apcu_store( $this->entry, $this->seal( $config ), self::STALE_TTL );
	}

	/** Remembers that the database just failed. */
	public function mark_database_down(): void {
		apcu_store( $this->entry . ':db-down', $this->seal( array( 'since' => microtime( true ) ) ), self::DOWN_FOR );
	}

	/** Whether the database failed less than DOWN_FOR seconds ago. */
	public function database_down(): bool {
		$marker = $this->open( apcu_fetch( $this->entry . ':db-down' ) );
		return is_array( $marker ) && self::fresh( $marker['since'] ?? null, self::DOWN_FOR );
	}

	public function forget(): void {
		apcu_delete( $this->entry );
		apcu_delete( $this->entry . ':db-down' );
	}

	/** Says that this request is loading WordPress for a fresh configuration. */
	public function mark_refreshing(): void {
		apcu_store( $this->marker, $this->new_marker(), self::REFRESH_WAIT );
	}

	/**
	 * Claims the refresh of an entry that just expired: true for one request
	 * until REFRESH_WAIT passes (the others keep using the expired entry
	 * meanwhile), and whenever the marker found is not this site's.
	 */
	public function claim_refresh(): bool {
		$marker = $this->new_marker();
		if ( apcu_add( $this->marker, $marker, self::REFRESH_WAIT ) ) {
			return true;
		}
		if ( $this->refresh_in_flight() ) {
			return false;
		}
		apcu_store( $this->marker, $marker, self::REFRESH_WAIT ); // Another tenant's marker, or an abandoned one.
		return true;
	}

	public function refreshed(): void {
		apcu_delete( $this->marker );
	}

	/**
	 * Waits (at most REFRESH_WAIT seconds) while another request refreshes
	 * the configuration, then returns the one it stored, or null when no
	 * refresh was in flight or none newer than $since came. A marker that is
	 * not sealed by this site (another tenant's) is ignored.
	 */
	public function await_refresh( float $since ): ?array {
		// Almost always no refresh is in flight: one small lookup, nothing opened.
		if ( false === apcu_fetch( $this->marker ) ) {
			return null;
		}
		while ( true ) {
			$config = $this->fetch();
			if ( $config && $config['confirmed_at'] >= $since ) {
				return $config;
			}
			if ( ! $this->refresh_in_flight() ) {
				return null;
			}
			usleep( 10000 );
		}
	}

	/** The refresh marker's value: when this site started refreshing, sealed. */
	private function new_marker(): string {
		return $this->seal( array( 'since' => microtime( true ) ) );
	}

	/** Whether the refresh marker is this site's and less than REFRESH_WAIT seconds old. */
	private function refresh_in_flight(): bool {
		$marker = $this->open( apcu_fetch( $this->marker ) );
		return is_array( $marker ) && self::fresh( $marker['since'] ?? null, self::REFRESH_WAIT );
	}

	private function seal( array $value ): string {
		$nonce = random_bytes( SODIUM_CRYPTO_SECRETBOX_NONCEBYTES );
		return $nonce . sodium_crypto_secretbox( serialize( $value ), $nonce, $this->box_key );
	}

	/** $sealed: whatever APCu holds under the name (false when nothing). */
	private function open( mixed $sealed ): ?array {
		if ( ! is_string( $sealed ) || strlen( $sealed ) < SODIUM_CRYPTO_SECRETBOX_NONCEBYTES + SODIUM_CRYPTO_SECRETBOX_MACBYTES ) {
			return null;
		}
		$plain = sodium_crypto_secretbox_open( substr( $sealed, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ), substr( $sealed, 0, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ), $this->box_key );
		$value = false === $plain ? null : unserialize( $plain, array( 'allowed_classes' => false ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions -- authenticated data, no objects.
		return is_array( $value ) ? $value : null;
	}

	/** Whether a time stamped by this site is no older than $ttl seconds and not in the future. */
	private static function fresh( mixed $stamp, float $ttl ): bool {
		if ( ! is_float( $stamp ) && ! is_int( $stamp ) ) {
			return false;
		}
		$age = microtime( true ) - $stamp;
		return $age >= 0 && $age <= $ttl;
	}
}
