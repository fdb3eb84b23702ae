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

if ( ! function_exists( 'hookguard_register_destination' ) ) {
	/**
	 * Registers a destination HookGuard pushes events to. Call it on "init".
	 *
	 * @param string $name Destination name: 1 to 64 of a-z, 0-9, "-", "_", ":".
	 * @param array  $args {
	 *     @type string          $url          Where events are POSTed (http:// or https://) (required).
	 *     @type string          $scheme       One of hookguard_schemes(): how requests are signed (required).
	 *     @type string          $secret       The signing secret (required).
	 *     @type string[]|string $events       Event names, "woocommerce.*" patterns or "*" (required).
	 *     @type int             $max_attempts Attempts before a row is failed (default 16).
	 *     @type int|float       $backoff      Base retry delay in seconds (default 60), doubled per attempt up to
	 *                                         10 hours, ±10 % jitter: about 2.8 days in all by default.
	 *     @type int|float       $timeout      Seconds one attempt may take (default 10, at most 120).
	 *     @type array           $options      Signing options of hookguard_sign() (algo, header, encoding, prefix, …).
	 *     @type string          $label        Shown in the admin.
	 *     @type bool            $enabled      False stops new events for it (default true).
	 * }
	 * @throws ValueError|TypeError On invalid arguments (the secret is never quoted).
	 */
	function hookguard_register_destination( string $name, array $args ): void {
		HookGuard\Destination_Registry::register( HookGuard\Core\Destination::from_args( $name, $args ) );
	}
}

if ( ! function_exists( 'hookguard_emit' ) ) {
	/**
	 * Raises an event of your own: one outbox row per destination that gets
	 * it; the worker sends it after the request, with retries. The body is
	 * the relay envelope {"event", "event_id", "site", "data"} (or $data
	 * itself with 'envelope' => false), through the "hookguard_event_payload" filter.
	 *
	 * @param string $event   Event name, e.g. "myplugin.lead.created".
	 * @param array  $data    The event's data (JSON-encodable).
	 * @param array  $options {
	 *     @type string $dedupe   What makes this event unique (default: a new event each call).
	 *     @type string $event_id A stable id of your own (default "evt_" and 24 hex digits).
	 *     @type bool   $envelope Wrap $data in the relay envelope (default true).
	 * }
	 * @return string|null The event id, or null when no destination gets this event.
	 * @throws ValueError When $event is not a valid event name.
	 */
	function hookguard_emit( string $event, array $data, array $options = array() ): ?string {
		if ( ! preg_match( '/^[a-z0-9_-]+(?:\.[a-z0-9_-]+)+$/D', $event ) ) {
			throw new ValueError( 'hookguard_emit(): Argument #1 ($event) must be dot-separated words of a-z, 0-9, "-" and "_", e.g. "myplugin.lead.created"' );
		}
		return HookGuard\Outbox::emit( $event, $data, $options );
	}
}
