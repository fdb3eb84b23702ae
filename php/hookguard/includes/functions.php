<?php
/**
 * HookGuard's global functions: the code API other plugins call.
 *
 * @package HookGuard
 */

if ( ! function_exists( 'hookguard_register_source' ) ) {
	/**
	 * Registers a webhook source. Call it on "init".
	 *
	 * @param string $name Source name, used in the URL /wp-json/hookguard/v1/receive/{name}.
	 * @param array  $args {
	 *     @type string          $scheme         One of hookguard_schemes() (required).
	 *     @type string|string[] $secrets        The shared secret, or several during a rotation (required).
	 *     @type array           $options        Scheme options ("tolerance", "algo", and the "hmac" layout keys).
	 *     @type string[]        $topics         Accepted topics, "order.*" allowed; empty = all.
	 *     @type callable        $handler        Called with a HookGuard\Delivery; without one the actions
	 *                                           "hookguard_process_{name}" and "hookguard_process" fire.
	 *     @type string          $idempotency    What identifies one event ("header:X", "json:a.b", "body"; "|" for fallbacks).
	 *     @type string          $topic_from     Where the topic is ("header:X", "json:a.b", "value:text").
	 *     @type int             $max_body       Largest body accepted, in bytes (default 1 MiB).
	 *     @type bool            $json           Whether bodies must be JSON.
	 *     @type array           $rate_limit     "failed" (per client IP) and "verified" limits:
	 *                                           array('limit' => n, 'period' => seconds) or false.
	 *     @type bool            $sender_retries Whether the sender re-sends after a 429/5xx.
	 *     @type int             $max_attempts   Handler attempts before a delivery is failed (default 3).
	 *     @type int             $backoff        Base retry delay in seconds (default 30), doubled per attempt, with jitter.
	 * }
	 * @throws ValueError|TypeError On invalid arguments.
	 */
	function hookguard_register_source( string $name, array $args ): void {
		HookGuard\Source_Registry::register( HookGuard\Source::from_args( $name, $args ) );
	}
}
