<?php
/**
 * Drains the queue: claims a batch atomically, hands each delivery to its
 * source's handler, marks it completed, or schedules a retry with
 * exponential backoff and jitter, or marks it failed after the source's
 * last attempt, keeping the error. Safe to run many at once: a delivery is
 * only ever held by one claim, and a claim whose worker died is taken over
 * once its lease has expired. A live worker renews its claim between
 * deliveries, so the lease can be short (30 s by default): a killed
 * worker's deliveries are taken over within seconds.
 *
 * It fails loudly: a database error is a Store_Error, never an empty queue.
 * A completion (or failure) write that fails is retried for up to
 * WRITE_RETRY_SECONDS before the worker gives up, so a handler does not run
 * again for a lost write; deliveries it claimed and did not start are given
 * back at once when it stops. Before its first claim it moves the spool's
 * deliveries into the queue.
 *
 * A delivery goes to its source's handler; adapters extend dispatch() to
 * hand deliveries of sources without one to their framework's hooks (the
 * WordPress plugin's actions, the Perfex module's hooks()).
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

class Worker {

	const MAX_DELAY = 21600;
	/** Seconds a completion or failure write is retried while the database is away. */
	const WRITE_RETRY_SECONDS = 20;
	/** Defaults for the options batch, lease and time_limit. */
	const DEFAULTS = array(
		'batch'      => 50,
		'lease'      => 30,
		'time_limit' => 20,
	);

	private Queue_Store $store;
	/** @var \Closure(string): ?Source */
	private \Closure $sources;
	private int $batch;
	private int $lease;
	/** Seconds; 0 = until the queue has nothing due. */
	private float $time_limit;
	/** Seconds to keep polling once nothing is due (a kicked worker). */
	private float $idle_wait;
	private ?Spool $spool;
	/** Seconds a completion or failure write is retried. */
	private float $write_retry;

	public function __construct( Queue_Store $store, callable $sources, array $options = array(), ?Spool $spool = null ) {
		$this->spool      = $spool;
		$this->store      = $store;
		$this->sources    = \Closure::fromCallable( $sources );
		$options         += self::DEFAULTS;
		$this->batch      = max( 1, (int) $options['batch'] );
		$this->lease      = max( 1, (int) $options['lease'] );
		$this->time_limit = (float) $options['time_limit'];
		$this->idle_wait  = (float) ( isset( $options['idle_wait'] ) ? $options['idle_wait'] : 0 );
		$this->write_retry = (float) ( $options['write_retry'] ?? self::WRITE_RETRY_SECONDS );
	}

	/**
	 * Runs until nothing is due (for idle_wait more seconds) or the time
	 * limit passes (checked between deliveries; what was claimed and not
	 * started is given back).
	 *
	 * @return array{completed:int,retried:int,failed:int,lost:int,reclaimed:int,released:int,spooled:int}
	 * @throws Store_Error When the database fails.
	 */
	public function run(): array {
		return $this->drain();
	}

	private function drain(): array {
		$stats    = array_fill_keys( array( 'completed', 'retried', 'failed', 'lost', 'reclaimed', 'released', 'spooled' ), 0 );
		$deadline = $this->time_limit > 0 ? microtime( true ) + $this->time_limit : null;
		$idle_end = null;
		if ( $this->spool ) {
			$stats['spooled'] = $this->spool->replay( $this->store )['moved'];
		}
		while ( null === $deadline || microtime( true ) < $deadline ) {
			$stats['reclaimed'] += $this->store->release_expired( $this->lease );
			$token               = bin2hex( random_bytes( 16 ) );
			$rows                = $this->store->claim( $token, $this->batch );
			$renewed             = microtime( true );
			foreach ( $rows as $i => $row ) {
				if ( null !== $deadline && microtime( true ) >= $deadline ) {
					$this->store->release( array_column( array_slice( $rows, $i ), 'id' ), $token );
					$stats['released'] += count( $rows ) - $i;
					break 2;
				}
				if ( microtime( true ) - $renewed > $this->lease / 3 ) {
					$this->store->renew( $token );
					$renewed = microtime( true );
				}
				try {
					$stats[ $this->process( $row, $token ) ]++;
				} catch ( Store_Error $e ) {
					$this->store->release( array_column( array_slice( $rows, $i + 1 ), 'id' ), $token );
					throw $e;
				}
			}
			if ( $rows ) {
				$idle_end = null;
				continue;
			}
			$idle_end = null === $idle_end ? microtime( true ) + $this->idle_wait : $idle_end;
			if ( microtime( true ) >= $idle_end ) {
				break;
			}
			usleep( 200000 );
		}
		return $stats;
	}

	/** @return string completed|retried|failed|lost */
	private function process( object $row, string $token ): string {
		$source = call_user_func( $this->sources, $row->source );
		$max    = $source ? $source->max_attempts : Source::DEFAULT_ATTEMPTS;
		$error  = null;
		if ( ! $source ) {
			$error = "No source named \"{$row->source}\" is configured.";
		} elseif ( (int) $row->attempts > $max ) {
			// Only after a lease takeover: the last attempt's worker died.
			$error = 'Gave up after ' . $max . ' attempts. ' . $row->last_error;
			return $this->write( 'fail', array( $row->id, $token, $error, 0, true ) ) ? 'failed' : 'lost';
		} else {
			try {
				$delivery         = Delivery::from_row( $row );
				$delivery->signed = $source->signed_fields();
				$this->dispatch( $source, $delivery );
			} catch ( \Throwable $e ) {
				$error = get_class( $e ) . ': ' . $e->getMessage();
			}
		}
		if ( null === $error ) {
			return $this->write( 'complete', array( $row->id, $token ) ) ? 'completed' : 'lost';
		}
		$error = Log::mask( $error );
		$final = (int) $row->attempts >= $max;
		Log::error( "delivery {$row->id} ({$row->source}) attempt {$row->attempts}/{$max} failed: $error" );
		$delay = $final ? 0 : self::backoff( $source ? $source->backoff : Source::DEFAULT_BACKOFF, (int) $row->attempts );
		if ( ! $this->write( 'fail', array( $row->id, $token, $error, $delay, $final ) ) ) {
			return 'lost';
		}
		return $final ? 'failed' : 'retried';
	}

	/**
	 * Records a handled delivery's outcome (Queue_Store::complete or fail),
	 * retrying while the database is away so that the handler does not run
	 * again for a write that was lost.
	 *
	 * @throws Store_Error When the database is still failing after write_retry seconds.
	 */
	private function write( string $method, array $args ): bool {
		$give_up = microtime( true ) + $this->write_retry;
		for ( $wait = 0.25; ; $wait = min( 4, $wait * 2 ) ) {
			try {
				return call_user_func_array( array( $this->store, $method ), $args );
			} catch ( Store_Error $e ) {
				if ( microtime( true ) + $wait > $give_up ) {
					throw $e;
				}
				usleep( (int) ( $wait * 1000000 ) );
			}
		}
	}

	/**
	 * Seconds before attempt $attempt + 1: $base * 2^($attempt - 1), capped
	 * at 6 hours, with "equal jitter" (a random point in its upper half) so
	 * that deliveries failing together do not retry together.
	 */
	public static function backoff( int|float $base, int $attempt ): int {
		$delay = min( self::MAX_DELAY, $base * ( 2 ** max( 0, $attempt - 1 ) ) );
		$half  = intdiv( (int) $delay, 2 );
		return (int) $delay - $half + random_int( 0, $half );
	}

	/**
	 * Hands a delivery to its source's handler. Returning normally means
	 * it was handled; throwing (or a handler returning false), that this
	 * attempt failed.
	 */
	protected function dispatch( Source $source, Delivery $delivery ): void {
		if ( ! $source->handler ) {
			throw new \RuntimeException( 'Nothing handles this source: give it a "handler".' );
		}
		if ( false === call_user_func( $source->handler, $delivery ) ) {
			throw new \RuntimeException( 'The handler returned false.' );
		}
	}
}
