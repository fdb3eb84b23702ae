<?php
/**
 * Decides the answer to one delivery. The REST route and the fast path both
 * call receive(), so they answer identically; only where sources come from
 * and how the database is reached differ.
 *
 * Order of checks (each answer is in the README's table):
 *   405 not POST · 404 unknown source · 503 no extension · 500 no usable
 *   secret · 413 too large · 200 WooCommerce ping · 400/401 verification ·
 *   400 not JSON · 200 ignored topic · 429 verified-delivery limit (only
 *   for senders that retry) · 202 queued · 200 duplicate · 202 spooled
 *   (the database could not take it) · 503 neither could.
 * Requests that fail (unknown source, too large, unverified) spend the
 * client IP's failure budget; past it they are answered 429 instead.
 *
 * A caller whose configuration may be older than the site's code (the
 * fast path) decides with $final = false first: an answer that newer
 * configuration could change comes back marked provisional and spends no
 * budget, so the caller can refresh and decide again.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Receiver {

	/** Rejections that mean "the signature or timestamp is wrong" (401), not "absent or unreadable" (400). */
	const UNAUTHORIZED = array( 'signature_mismatch', 'timestamp_too_old', 'timestamp_in_future' );

	/** Budget for unknown-source probes per client IP (sources have their own). */
	const PROBE_LIMIT = array(
		'limit'  => Source::DEFAULT_FAIL_LIMIT,
		'period' => Source::DEFAULT_PERIOD,
	);

	/** (string $name): ?Source */
	private \Closure $sources;
	private Client_Ip $client_ip;
	/** (): ?Queue_Store, connecting to the database only when a delivery is to be stored. */
	private \Closure $store;
	private Limiter $limiter;
	private bool $final = true;
	/** Where a verified delivery goes when the database cannot take it (or a closure making it, when needed). */
	private Spool|\Closure|null $spool;
	/** The rejection a provisional answer stands for: [scope, limit, request, status, code]. */
	private ?array $pending = null;

	public function __construct( callable $sources, Client_Ip $client_ip, callable $store, Limiter $limiter, Spool|\Closure|null $spool = null ) {
		$this->sources   = \Closure::fromCallable( $sources );
		$this->client_ip = $client_ip;
		$this->store     = \Closure::fromCallable( $store );
		$this->limiter   = $limiter;
		$this->spool     = $spool;
	}

	public function receive( Request $request, bool $final = true ): Response {
		$this->final   = $final;
		$this->pending = null;
		$response      = $this->decide( $request );
		$this->final   = true;
		return $response;
	}

	/**
	 * Turns the provisional answer receive() just gave into the final one,
	 * without deciding again: a rejection now spends the client's budget.
	 */
	public function finalize( Response $provisional ): Response {
		if ( null !== $this->pending ) {
			list( $scope, $limit, $request, $status, $code ) = $this->pending;
			$this->pending = null;
			return $this->reject( $scope, $limit, $request, $status, $code );
		}
		$provisional->provisional = false;
		return $provisional;
	}

	private function decide( Request $request ): Response {
		if ( 'POST' !== $request->method ) {
			return Response::error( 405, 'method_not_allowed', array( 'Allow' => 'POST' ) );
		}
		$source = call_user_func( $this->sources, $request->source );
		if ( ! $source ) {
			return $this->reject( '*', self::PROBE_LIMIT, $request, 404, 'unknown_source' );
		}
		if ( ! function_exists( 'hookguard_check' ) ) {
			return Response::error( 503, 'extension_unavailable', array( 'Retry-After' => '60' ) );
		}
		if ( ! $source->secrets ) {
			return $this->provisional( Response::error( 500, 'source_misconfigured' ) );
		}
		$length = $request->content_length();
		if ( strlen( $request->body ) > $source->max_body || ( null !== $length && $length > $source->max_body ) ) {
			return $this->reject( $source->name, $source->fail_limit, $request, 413, 'body_too_large' );
		}
		if ( 'woocommerce' === $source->scheme && Scheme_Profile::is_woocommerce_ping( $request ) ) {
			return new Response( 200, array( 'status' => 'ping' ) );
		}

		$reason = hookguard_check( $source->scheme, $request->body, $request->headers, $source->secrets, $source->options );
		if ( 'ok' !== $reason ) {
			return $this->reject( $source->name, $source->fail_limit, $request, in_array( $reason, self::UNAUTHORIZED, true ) ? 401 : 400, $reason );
		}
		// Test connection (issue 8): a verified test delivery gets a proof and is never queued.
		if ( Test_Answer::is_test( $request ) ) {
			return Test_Answer::answer( $source, $request );
		}

		$json = null;
		if ( $source->json || $this->needs_json( $source ) ) {
			$json = json_decode( $request->body, true, 512, JSON_BIGINT_AS_STRING );
			if ( ! is_array( $json ) ) {
				if ( $source->json ) {
					return $this->provisional( Response::error( 400, 'invalid_json' ) );
				}
				$json = null;
			}
		}

		// A source bound to one topic takes only deliveries of that topic.
		$topic = Scheme_Profile::extract( $source->topic_from, $request, $json );
		if ( ! $source->accepts_topic( $topic ) ) {
			return $this->provisional( new Response( 200, array( 'status' => 'ignored', 'reason' => 'topic' ) ) );
		}

		// A verified delivery is limited only if its sender re-sends after a
		// 429; one that does not retry (WooCommerce) is never turned away.
		if ( $source->verified_limit && $source->sender_retries ) {
			$wait = $this->limiter->hit( 'ok:' . $source->name, $source->verified_limit );
			if ( $wait ) {
				return Response::rate_limited( $wait );
			}
		}

		$key    = Scheme_Profile::extract( $source->idempotency, $request, $json, $topic );
		$key    = '' === $key ? 'body:' . hash( 'sha256', $request->body ) : $key;
		$store   = call_user_func( $this->store );
		$headers = self::kept_headers( $request, $source );
		$stored  = $store ? $store->enqueue( $source->name, $key, $topic, $request->body, $headers ) : null;
		if ( ! $stored ) {
			// The database cannot take it: the spool can, durably, and the
			// delivery moves into the queue as soon as the database answers.
			$spool = $this->spool instanceof \Closure ? ( $this->spool )() : $this->spool;
			if ( $spool && null !== $spool->append( $source->name, $key, $topic, $request->body, $headers ) ) {
				return new Response( 202, array( 'status' => 'queued', 'spooled' => true ) );
			}
			return Response::error( 503, 'store_unavailable', array( 'Retry-After' => '30' ) );
		}
		if ( ! $stored['new'] ) {
			return new Response( 200, array( 'status' => 'duplicate', 'id' => $stored['id'] ) );
		}
		$response         = new Response( 202, array( 'status' => 'queued', 'id' => $stored['id'] ) );
		$response->queued = true;
		return $response;
	}

	private function needs_json( Source $source ): bool {
		return false !== strpos( $source->topic_from . '|' . $source->idempotency, 'json:' );
	}

	/** Marks an answer that newer configuration could change (only when not final). */
	private function provisional( Response $response ): Response {
		$response->provisional = ! $this->final;
		return $response;
	}

	/**
	 * Answers a failed request, or 429 once the client IP has failed too
	 * often. A provisional answer spends nothing.
	 */
	private function reject( string $scope, ?array $limit, Request $request, int $status, string $code ): Response {
		if ( ! $this->final ) {
			$this->pending = array( $scope, $limit, $request, $status, $code );
			return $this->provisional( Response::error( $status, $code ) );
		}
		if ( $limit ) {
			$wait = $this->limiter->hit( 'fail:' . $scope . ':' . $this->client_ip->bucket( $request ), $limit );
			if ( $wait ) {
				return Response::rate_limited( $wait );
			}
		}
		return Response::error( $status, $code );
	}

	/**
	 * Headers stored with a delivery: the content type, user agent and the
	 * sender's own X-* and webhook-* headers, minus the source's signature
	 * header(s) and anything that carries a signature, credential or client
	 * address.
	 */
	public static function kept_headers( Request $request, Source $source ): array {
		$kept      = array();
		$signature = Scheme_Profile::signature_headers( $source->scheme, $source->options );
		foreach ( $request->headers as $name => $value ) {
			if ( ( 'content-type' === $name || 'user-agent' === $name || 0 === strncmp( $name, 'x-', 2 ) || 0 === strncmp( $name, 'webhook-', 8 ) )
				&& ! in_array( $name, $signature, true )
				&& ! preg_match( '/signature|hmac|token|secret|auth|cookie|forwarded|real-ip|api-key/', $name ) ) {
				$kept[ $name ] = $value;
			}
		}
		return $kept;
	}
}
