<?php
/**
 * Source secrets at rest: sealed with libsodium's secretbox under a key
 * derived from the CRM's encryption key (CodeIgniter's encryption_key,
 * which Perfex sets from APP_ENC_KEY in application/config/app-config.php).
 * A sealed secret read with another key opens to null, never to garbage.
 *
 * @package HookGuard
 */

namespace HookGuard\Perfex;

final class Secrets {

	const PREFIX = 'hg1:';

	/** The module's own key, or null when the CRM has no encryption key. */
	public static function key(): ?string {
		$base = function_exists( 'get_instance' ) && get_instance() ? (string) get_instance()->config->item( 'encryption_key' ) : '';
		return '' === $base ? null : hash_hmac( 'sha256', 'hookguard perfex secrets', $base, true );
	}

	public static function seal( #[\SensitiveParameter] string $secret ): string {
		$key = self::key();
		if ( null === $key ) {
			throw new \RuntimeException( 'HookGuard needs the CRM\'s encryption key (APP_ENC_KEY) to store secrets.' );
		}
		$nonce = random_bytes( SODIUM_CRYPTO_SECRETBOX_NONCEBYTES );
		return self::PREFIX . base64_encode( $nonce . sodium_crypto_secretbox( $secret, $nonce, $key ) );
	}

	public static function open( string $sealed ): ?string {
		$key = self::key();
		$raw = 0 === strncmp( $sealed, self::PREFIX, 4 ) ? base64_decode( substr( $sealed, 4 ), true ) : false;
		if ( null === $key || false === $raw || strlen( $raw ) < SODIUM_CRYPTO_SECRETBOX_NONCEBYTES + SODIUM_CRYPTO_SECRETBOX_MACBYTES ) {
			return null;
		}
		$plain = sodium_crypto_secretbox_open( substr( $raw, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ), substr( $raw, 0, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ), $key );
		return false === $plain ? null : $plain;
	}

	/** A MAC under the module's key (rate-limit namespace, worker key checks). */
	public static function mac( string $data ): string {
		return hash_hmac( 'sha256', $data, (string) self::key() );
	}
}
