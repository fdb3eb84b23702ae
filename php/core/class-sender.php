<?php
/**
 * Drains the outbox: claims due rows atomically, signs each at send time
 * with its destination's current secret (a fresh timestamp per attempt,
 * the same event id), POSTs it, and records the outcome:
 *   2xx                          delivered
 *   connection error, timeout,   pending again after the destination's
 *   408, 425, 429, 5xx           backoff (at least the answer's Retry-After),
 *                                or failed after its last attempt
 *   anything else (3xx, 4xx)     failed at once, status and excerpt kept
 * Safe to run many at once: a row is held by one claim only, and a claim
 * whose sender died is taken back when its lease expires. A sender that
 * runs short of lease time gives the rest of its batch back untried.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Sender {

	private Outbox_Store $store;
	/** @var \Closure(string):?Destination */
	private \Closure $destinations;
	private Http_Client $client;
	private int $batch;
	private int $lease;
	/** 0 = until nothing is due. */
	private float $time_limit;
	/** Seconds to keep polling once nothing is due. */
	private float $idle_wait;
	/** @var \Closure(string):void */
	private \Closure $log;

	/**
	 * @param array{batch?:int,lease?:int,time_limit?:float,idle_wait?:float,log?:callable} $options
	 */
	public function __construct( Outbox_Store $store, callable $destinations, ?Http_Client $client = null, array $options = array() ) {
		$this->store        = $store;
		$this->destinations = \Closure::fromCallable( $destinations );
		$this->client       = $client ? $client : new Http_Client();
		$this->batch        = max( 1, (int) ( $options['batch'] ?? 50 ) );
		$this->lease        = max( 1, (int) ( $options['lease'] ?? 300 ) );
		$this->time_limit   = (float) ( $options['time_limit'] ?? 0 );
		$this->idle_wait    = (float) ( $options['idle_wait'] ?? 0 );
		$this->log          = \Closure::fromCallable( $options['log'] ?? static function ( string $message ): void {} );
	}

	/**
	 * Sends until nothing is due (for idle_wait more seconds) or the time
	 * limit passes (checked between rows; rows left are given back).
	 *
	 * @return array{delivered:int,retried:int,failed:int,lost:int,released:int,reclaimed:int}
	 */
	public function run(): array {
		$stats    = array_fill_keys( array( 'delivered', 'retried', 'failed', 'lost', 'released', 'reclaimed' ), 0 );
		$deadline = $this->time_limit > 0 ? microtime( true ) + $this->time_limit : null;
		$idle_end = null;
		while ( null === $deadline || microtime( true ) < $deadline ) {
			$stats['reclaimed'] += $this->store->release_expired( $this->lease );
			$token               = bin2hex( random_bytes( 16 ) );
			$rows                = $this->store->claim( $token, $this->batch );
			if ( $rows ) {
				$this->send_batch( $rows, $token, $deadline, $stats );
				$idle_end = null;
				continue;
			}
			$idle_end = $idle_end ?? microtime( true ) + $this->idle_wait;
			if ( microtime( true ) >= $idle_end ) {
				break;
			}
			usleep( 100000 );
		}
		return $stats;
	}

	private function send_batch( array $rows, string $token, ?float $deadline, array &$stats ): void {
		$claimed_at = microtime( true );
		$delivered  = array();
		foreach ( $rows as $i => $row ) {
			// Half the lease spent, or past the time limit: give the rest back untried.
			if ( microtime( true ) - $claimed_at > $this->lease / 2 || ( null !== $deadline && microtime( true ) >= $deadline ) ) {
				$stats['released'] += $this->store->release( array_column( array_slice( $rows, $i ), 'id' ), $token );
				break;
			}
			$result = $this->send( $row, $token );
			if ( is_int( $result ) ) {
				$delivered[ (int) $row['id'] ] = $result;
			} else {
				$stats[ $result ]++;
			}
		}
		if ( $delivered ) {
			$done                = $this->store->delivered( $delivered, $token );
			$stats['delivered'] += $done;
			$stats['lost']      += count( $delivered ) - $done;
		}
	}

	/** @return int|string The 2xx status when delivered (recorded by the caller), else retried|failed|lost. */
	private function send( array $row, string $token ): int|string {
		$id          = (int) $row['id'];
		$attempts    = (int) $row['attempts'];
		$destination = call_user_func( $this->destinations, $row['destination'] );
		if ( ! $destination ) {
			return $this->record( $id, $token, 0, "No destination named \"{$row['destination']}\" is configured.", null );
		}
		$policy = $destination->retry_policy();
		$final  = $attempts >= $destination->max_attempts;
		if ( '' === $destination->secret ) {
			$error = 'The signing secret cannot be read (the encryption key changed?): enter it again.';
			return $this->record( $id, $token, 0, $error, $final ? null : $policy->delay( $attempts ) );
		}
		$stored = json_decode( (string) $row['headers'], true );
		try {
			$headers = $destination->headers( (string) $row['payload'], (string) $row['event_id'], time(), is_array( $stored ) ? $stored : array() );
		} catch ( \Throwable $e ) {
			$error = 'Could not sign: ' . get_class( $e ) . ': ' . $e->getMessage();
			return $this->record( $id, $token, 0, $error, $final ? null : $policy->delay( $attempts ) );
		}
		$attempt = $this->client->post( $destination->url, (string) $row['payload'], $headers, $destination->timeout, $destination->http_version );
		$outcome = $attempt->outcome();
		if ( Attempt::DELIVERED === $outcome ) {
			return $attempt->status;
		}
		$error = $attempt->summary();
		if ( Attempt::RETRY === $outcome && ! $final ) {
			return $this->record( $id, $token, $attempt->status, $error, $policy->delay( $attempts, $attempt->retry_after( time() ) ) );
		}
		if ( Attempt::RETRY === $outcome ) {
			$error = "Gave up after $attempts attempts; the last: $error";
		}
		call_user_func( $this->log, "outbox row $id ({$row['event']} to {$row['destination']}) failed for good: $error" );
		return $this->record( $id, $token, $attempt->status, $error, null );
	}

	private function record( int $id, string $token, int $status, string $error, ?float $delay ): string {
		if ( ! $this->store->failed_attempt( $id, $token, $status, $error, $delay ) ) {
			return 'lost';
		}
		return null === $delay ? 'failed' : 'retried';
	}
}
