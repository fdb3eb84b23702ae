<?php
/**
 * REST routes:
 *   /hookguard/v1/receive/{source}  the receive endpoint (any method; non-POST is answered 405)
 *   /hookguard/v1/drain             POST, the worker kick (credential: X-HookGuard-Drain)
 *
 * The receive route is answered from "rest_pre_dispatch", before the REST
 * server parses a JSON body or answers OPTIONS itself: an unverified body
 * must get 400/401 from the signature check, exactly as on the fast path,
 * not the REST server's own rest_invalid_json.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Rest_Controller {

	const NAMESPACE_V1  = 'hookguard/v1';
	const RECEIVE_ROUTE = '#^/hookguard/v1/receive(?:/([^/]*))?/?$#';

	public static function register_routes(): void {
		register_rest_route(
			self::NAMESPACE_V1,
			'/receive(?:/(?P<source>[^/]*))?',
			array(
				'methods'             => array( 'GET', 'POST', 'PUT', 'PATCH', 'DELETE' ),
				'callback'            => array( self::class, 'receive' ),
				// Public by design: each delivery is authenticated by its signature.
				'permission_callback' => '__return_true',
			)
		);
		register_rest_route(
			self::NAMESPACE_V1,
			'/drain',
			array(
				'methods'             => 'POST',
				'callback'            => array( self::class, 'drain' ),
				'permission_callback' => array( self::class, 'can_drain' ),
			)
		);
	}

	/** rest_pre_dispatch: answers every request to the receive route. */
	public static function pre_dispatch( mixed $result, mixed $server, \WP_REST_Request $request ): mixed {
		if ( null !== $result || ! preg_match( self::RECEIVE_ROUTE, $request->get_route() ) ) {
			return $result;
		}
		return self::receive( $request );
	}

	/**
	 * The source named in the URL, decoded exactly once, as the fast path
	 * does: from the raw request path when the route came from it
	 * (/wp-json/...), else from the route PHP already decoded once
	 * (?rest_route=...).
	 */
	private static function source_name( \WP_REST_Request $rest ): string {
		$path = (string) parse_url( (string) ( $_SERVER['REQUEST_URI'] ?? '' ), PHP_URL_PATH ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- matched against a pattern only.
		if ( preg_match( Fast_Path::RECEIVE_PATH, $path ) ) {
			return Fast_Path::source_name( $_SERVER );
		}
		return preg_match( self::RECEIVE_ROUTE, $rest->get_route(), $m ) && isset( $m[1] ) ? $m[1] : '';
	}

	public static function receive( \WP_REST_Request $rest ): \WP_REST_Response {
		$source  = self::source_name( $rest );
		$request = Request::from_rest(
			$rest->get_method(),
			$source,
			(string) $rest->get_body(),
			$rest->get_headers(),
			isset( $_SERVER['REMOTE_ADDR'] ) ? $_SERVER['REMOTE_ADDR'] : '' // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- compared as an IP, never output.
		);
		$settings = Settings::all();
		$receiver = new Receiver(
			array( Source_Registry::class, 'get' ),
			new Client_Ip( $settings['trusted_proxies'] ),
			static function (): Queue_Store {
				return new Queue_Store();
			},
			Limiter::for_site(),
			new Spool( Spool::default_dir( $_SERVER ) )
		);
		$response = $receiver->receive( $request );
		if ( $response->queued ) {
			add_action( 'shutdown', $settings['kick'] ? array( self::class, 'kick_after_response' ) : array( self::class, 'replay_after_response' ) );
		}
		$rest_response = new \WP_REST_Response( $response->data, $response->status );
		foreach ( $response->headers + array( 'Cache-Control' => 'no-store' ) as $name => $value ) {
			$rest_response->header( $name, $value );
		}
		return $rest_response;
	}

	/** After a queued delivery, with the sender answered: the spool's deliveries into the queue, then the kick. */
	public static function kick_after_response(): void {
		if ( function_exists( 'fastcgi_finish_request' ) ) {
			fastcgi_finish_request();
			$spool = new Spool( Spool::default_dir( $_SERVER ) );
			if ( $spool->records() ) {
				$spool->replay( new Queue_Store() );
			}
			Kicker::kick( Kicker::target(), Kicker::key(), Limiter::for_site() );
		}
	}

	public static function replay_after_response(): void {
		$spool = new Spool( Spool::default_dir( $_SERVER ) );
		if ( $spool->records() && function_exists( 'fastcgi_finish_request' ) ) {
			fastcgi_finish_request();
			$spool->replay( new Queue_Store() );
		}
	}

	public static function can_drain( \WP_REST_Request $request ): bool {
		return Kicker::accepts( (string) $request->get_header( 'x_hookguard_drain' ) );
	}

	/**
	 * Runs one worker (unless one already runs from a kick), after answering:
	 * the kicker only waits for the answer, not for the work.
	 */
	public static function drain(): \WP_REST_Response {
		$store = new Queue_Store();
		if ( ! $store->try_lock( 'kicked-worker' ) ) {
			return new \WP_REST_Response( array( 'status' => 'busy' ), 200 );
		}
		ignore_user_abort( true );
		if ( function_exists( 'fastcgi_finish_request' ) ) {
			status_header( 202 );
			header( 'Content-Type: application/json; charset=UTF-8' );
			echo '{"status":"draining"}';
			fastcgi_finish_request();
		}
		// It lingers a little once the queue is empty: deliveries whose own
		// kick was throttled (one per two seconds) are picked up by it.
		try {
			$stats = Plugin::worker( $store, array( 'idle_wait' => 3 ) )->run();
		} catch ( Store_Error $e ) {
			Log::error( 'worker stopped: ' . $e->getMessage() );
			$stats = array( 'error' => 'store_unavailable' );
		}
		$stats['outbox'] = Outbox::drain( array( 'idle_wait' => 3 ) ); // The sending half (issue 8).
		$store->unlock( 'kicked-worker' );
		if ( function_exists( 'fastcgi_finish_request' ) ) {
			exit;
		}
		return new \WP_REST_Response( array( 'status' => 'drained' ) + $stats, 200 );
	}
}
