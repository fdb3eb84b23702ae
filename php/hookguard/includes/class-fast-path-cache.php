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

	/** Seconds a configuration is used before it is read again. */
	const TTL = 1;

	/** @var string */
	private $entry;
	/** @var string */
	private $box_key;

	public function __construct( #[\SensitiveParameter] string $site_key ) {
		$this->entry   = 'hookguard:fast:' . substr( hash_hmac( 'sha256', 'hookguard fast path cache entry', $site_key ), 0, 32 );
		$this->box_key = hash_hmac( 'sha256', 'hookguard fast path cache seal', $site_key, true );
	}

	public static function available(): bool {
		return function_exists( 'apcu_fetch' ) && apcu_enabled() && function_exists( 'sodium_crypto_secretbox' );
	}

	/** The cached configuration, or null when absent, forged, expired or from the future. */
	public function fetch(): ?array {
		$sealed = apcu_fetch( $this->entry );
		if ( ! is_string( $sealed ) || strlen( $sealed ) < SODIUM_CRYPTO_SECRETBOX_NONCEBYTES + SODIUM_CRYPTO_SECRETBOX_MACBYTES ) {
			return null;
		}
		$plain = sodium_crypto_secretbox_open( substr( $sealed, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ), substr( $sealed, 0, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ), $this->box_key );
		if ( false === $plain ) {
			return null;
		}
		$config = unserialize( $plain, array( 'allowed_classes' => false ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions -- authenticated data, no objects.
		if ( ! is_array( $config ) || ! isset( $config['cached_at'] ) ) {
			return null;
		}
		$age = microtime( true ) - $config['cached_at'];
		return $age >= 0 && $age <= self::TTL ? $config : null;
	}

	public function store( array $config ): void {
		$config['cached_at'] = microtime( true );
		$nonce               = random_bytes( SODIUM_CRYPTO_SECRETBOX_NONCEBYTES );
		apcu_store( $this->entry, $nonce . sodium_crypto_secretbox( serialize( $config ), $nonce, $this->box_key ), self::TTL + 1 );
	}

	public function forget(): void {
		apcu_delete( $this->entry );
	}
}
