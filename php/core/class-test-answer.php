<?php
/**
 * The receiving half of Test connection: a verified test delivery (header
 * X-HookGuard-Test, body from HookGuard\Core\Test_Delivery) is answered 200
 * with the proof under the secret that verified it, and never queued.
 * Called by the Receiver right after the signature check passed.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Test_Answer {

	public static function is_test( Request $request ): bool {
		return null !== $request->header( Test_Delivery::HEADER );
	}

	public static function answer( Source $source, Request $request ): Response {
		$nonce = Test_Delivery::nonce_of( $request->body );
		if ( null !== $nonce ) {
			// The proof is made with the one secret that verified the body (several during a rotation).
			foreach ( $source->secrets as $secret ) {
				if ( 'ok' === hookguard_check( $source->scheme, $request->body, $request->headers, $secret, $source->options ) ) {
					return new Response( 200, Test_Delivery::answer( $secret, $nonce ) );
				}
			}
		}
		return new Response( 400, array( 'error' => 'invalid_test_delivery', 'message' => 'A test delivery must carry a HookGuard test body.' ) );
	}
}
