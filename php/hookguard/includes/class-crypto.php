<?php
/**
 * Secrets at rest: sealed with libsodium's secretbox (XSalsa20-Poly1305)
 * under a key derived from HOOKGUARD_ENCRYPTION_KEY when wp-config.php
 * defines it, else from the site's AUTH_KEY and AUTH_SALT. Changing that
 * key makes stored secrets unreadable: the admin page then asks for them
 * again and the source answers 500 until it has one.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Crypto {

	const PREFIX = 'hg1:';

	/** @var string|null|false Cached key (false = not yet derived). */
	private static string|false|null $key = false;

	/** The 32-byte key, or null when no key material is available. */
	public static function key(): ?string {
		if ( false !== self::$key ) {
			return self::$key;
		}
		$material = null;
		if ( defined( 'HOOKGUARD_ENCRYPTION_KEY' ) && is_string( HOOKGUARD_ENCRYPTION_KEY ) && '' !== HOOKGUARD_ENCRYPTION_KEY ) {
			$material = 'constant:' . HOOKGUARD_ENCRYPTION_KEY;
		} elseif ( self::real_constant( 'AUTH_KEY' ) && self::real_constant( 'AUTH_SALT' ) ) {
			$material = 'salts:' . AUTH_KEY . AUTH_SALT;
		} else {
			if ( function_exists( 'wp_salt' ) ) {
				wp_salt( 'auth' ); // Creates the stored salts when wp-config.php has none.
			}
			if ( function_exists( 'get_site_option' ) ) {
				$stored = get_site_option( 'auth_key' ) . get_site_option( 'auth_salt' );
				$material = '' !== $stored ? 'salts:' . $stored : null;
			}
		}
		self::$key = null === $material ? null : sodium_crypto_generichash( "HookGuard secrets v1\0" . $material, '', SODIUM_CRYPTO_SECRETBOX_KEYBYTES );
		return self::$key;
	}

	private static function real_constant( string $name ): bool {
		return defined( $name ) && is_string( constant( $name ) ) && '' !== constant( $name ) && 'put your unique phrase here' !== constant( $name );
	}

	/** Forgets the cached key (tests change the constant's source). */
	public static function reset(): void {
		self::$key = false;
	}

	/** @throws \RuntimeException When no key is available. */
	public static function seal( #[\SensitiveParameter] string $plain ): string {
		$key = self::key();
		if ( null === $key ) {
			throw new \RuntimeException( 'HookGuard: no encryption key (define HOOKGUARD_ENCRYPTION_KEY or the WordPress salts).' );
		}
		$nonce = random_bytes( SODIUM_CRYPTO_SECRETBOX_NONCEBYTES );
		return self::PREFIX . base64_encode( $nonce . sodium_crypto_secretbox( $plain, $nonce, $key ) );
	}

	/** The plain text, or false when $sealed is not ours or the key changed. */
	public static function open( mixed $sealed ): string|false {
		$key = self::key();
		if ( null === $key || ! is_string( $sealed ) || strncmp( $sealed, self::PREFIX, strlen( self::PREFIX ) ) !== 0 ) {
			return false;
		}
		$raw = base64_decode( substr( $sealed, strlen( self::PREFIX ) ), true );
		if ( false === $raw || strlen( $raw ) < SODIUM_CRYPTO_SECRETBOX_NONCEBYTES + SODIUM_CRYPTO_SECRETBOX_MACBYTES ) {
			return false;
		}
		return sodium_crypto_secretbox_open( substr( $raw, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ), substr( $raw, 0, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ), $key );
	}

	/** How a secret is shown: never more than its last 4 characters, and only if long. */
	public static function mask( #[\SensitiveParameter] string $plain ): string {
		$len = strlen( $plain );
		return str_repeat( '•', 8 ) . ( $len >= 16 ? substr( $plain, -4 ) : '' ) . sprintf( ' (%d characters)', $len );
	}

	/** A keyed digest: fingerprints that reveal nothing about what they cover. */
	public static function mac( #[\SensitiveParameter] string $data ): string {
		$key = self::key();
		return hash_hmac( 'sha256', $data, null === $key ? 'no key' : $key );
	}
}
