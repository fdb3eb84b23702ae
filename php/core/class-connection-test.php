<?php
/**
 * Test connection: sends a signed test delivery to a destination and says
 * exactly what happened. Results, in the order they are told apart:
 *   unreachable         no connection (DNS, refused, TLS)
 *   timed_out           no answer within the destination's timeout
 *   redirect            3xx (redirects are never followed: fix the URL)
 *   timestamp_rejected  401/403 naming the timestamp, or with a Date header
 *                       more than 5 minutes from this server's clock
 *   secret_mismatch     401/403 otherwise
 *   http_error          any other non-2xx
 *   wrong_proof         2xx with a proof that does not match this secret
 *   unproven            2xx from a receiver that cannot prove it verified
 *   verified            2xx with the proof (see Test_Delivery): green
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Connection_Test {

	const SKEW = 300;

	const MESSAGES = array(
		'verified'           => 'Secret verified: the receiver checked the signature and proved it holds the same secret.',
		'unproven'           => 'The receiver answered %status% but cannot prove it verified the signature (it may not check signatures at all).',
		'wrong_proof'        => 'The receiver answered %status% with a proof that does not match this secret.',
		'secret_mismatch'    => 'The receiver rejected the signature (HTTP %status%): the secrets differ.',
		'timestamp_rejected' => 'The receiver rejected the timestamp (HTTP %status%): the clocks differ by more than it tolerates.',
		'redirect'           => 'The receiver answered with a redirect (HTTP %status%), which is never followed: use the final URL.',
		'http_error'         => 'The receiver answered HTTP %status%.',
		'timed_out'          => 'No answer within %timeout% s (timed out).',
		'unreachable'        => 'The receiver is unreachable: %error%',
	);

	/**
	 * @return array{result:string,ok:bool,status:int,message:string,excerpt:string}
	 */
	public static function run( Destination $destination, string $site, ?Http_Client $client = null, ?int $now = null ): array {
		$client  = $client ? $client : new Http_Client();
		$nonce   = Test_Delivery::nonce();
		$body    = Test_Delivery::body( $nonce, $site );
		$now     = $now ?? time();
		$headers = $destination->headers( $body, 'test_' . $nonce, $now, array() ) + array( Test_Delivery::HEADER => '1' );
		$attempt = $client->post( $destination->url, $body, $headers, $destination->timeout, $destination->http_version );
		$result  = self::diagnose( $attempt, $destination->secret, $nonce, $now );
		$message = strtr(
			self::MESSAGES[ $result ],
			array(
				'%status%'  => (string) $attempt->status,
				'%timeout%' => (string) $destination->timeout,
				'%error%'   => $attempt->error_message,
			)
		);
		return array(
			'result'  => $result,
			'ok'      => 'verified' === $result,
			'status'  => $attempt->status,
			'message' => $message,
			'excerpt' => $attempt->excerpt(),
		);
	}

	public static function diagnose( Attempt $attempt, #[\SensitiveParameter] string $secret, string $nonce, int $now ): string {
		if ( null !== $attempt->error ) {
			return $attempt->error;
		}
		$status = $attempt->status;
		if ( $status >= 300 && $status < 400 ) {
			return 'redirect';
		}
		if ( 401 === $status || 403 === $status ) {
			$date = $attempt->header( 'date' );
			$skew = null !== $date ? Retry_Policy::parse_retry_after( $date, 0 ) : null;
			if ( preg_match( '/timestamp/i', $attempt->body ) || ( $skew && abs( $skew - $now ) > self::SKEW ) ) {
				return 'timestamp_rejected';
			}
			return 'secret_mismatch';
		}
		if ( $status < 200 || $status >= 300 ) {
			return 'http_error';
		}
		$json  = json_decode( $attempt->body, true );
		$proof = is_array( $json ) && is_string( $json['proof'] ?? null ) ? $json['proof'] : null;
		if ( null === $proof ) {
			return 'unproven';
		}
		return hash_equals( Test_Delivery::proof( $secret, $nonce ), $proof ) ? 'verified' : 'wrong_proof';
	}
}
