<?php
/**
 * Test deliveries, both halves: the sender's signed test (Test connection)
 * and the receiver's proof that it verified the signature.
 *
 * The test body is JSON {"event":"hookguard.test","event_id":…,"site":…,
 * "data":{"nonce":<32 hex>}} sent with the header X-HookGuard-Test: 1 and
 * signed like any delivery. A receiver that verified it answers 200
 * {"status":"test_verified","proof":P} and queues nothing, where
 *   P = hex HMAC-SHA256(key = HMAC-SHA256("HookGuard test proof v1", secret), nonce)
 * under the secret that verified it. The derived key keeps the answer from
 * being a signing oracle: P is never a signature any scheme would accept
 * under the secret itself, and the nonce is taken only from a signed body.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Test_Delivery {

	const HEADER = 'X-HookGuard-Test';
	const EVENT  = 'hookguard.test';

	public static function nonce(): string {
		return bin2hex( random_bytes( 16 ) );
	}

	public static function body( string $nonce, string $site ): string {
		return (string) json_encode(
			array(
				'event'    => self::EVENT,
				'event_id' => 'test_' . $nonce,
				'site'     => $site,
				'data'     => array( 'nonce' => $nonce ),
			),
			JSON_UNESCAPED_SLASHES
		);
	}

	/** The nonce of a test body, or null when $body is not one. */
	public static function nonce_of( string $body ): ?string {
		$json = json_decode( $body, true );
		if ( ! is_array( $json ) || self::EVENT !== ( $json['event'] ?? null ) || ! is_string( $json['data']['nonce'] ?? null ) ) {
			return null;
		}
		return preg_match( '/^[0-9a-f]{32}$/D', $json['data']['nonce'] ) ? $json['data']['nonce'] : null;
	}

	public static function proof( #[\SensitiveParameter] string $secret, string $nonce ): string {
		return hash_hmac( 'sha256', $nonce, hash_hmac( 'sha256', 'HookGuard test proof v1', $secret, true ) );
	}

	/** The receiver's answer body to a verified test delivery. */
	public static function answer( #[\SensitiveParameter] string $secret, string $nonce ): array {
		return array(
			'status' => 'test_verified',
			'proof'  => self::proof( $secret, $nonce ),
		);
	}
}
