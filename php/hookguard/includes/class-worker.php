<?php
/**
 * Drains the queue: claims a batch atomically, hands each delivery to its
 * source's handler, marks it completed, or schedules a retry with
 * exponential backoff and jitter, or marks it failed after the source's
 * last attempt, keeping the error. Safe to run many at once: a delivery is
 * only ever held by one claim, and a claim whose worker died is taken over
 * once its lease has expired.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Worker {

	const MAX_DELAY = 21600;

	/** @var Queue_Store */
	private $store;
	/** @var callable(string):?Source */
	private $sources;
	/** @var int */
	private $batch;
	/** @var int */
	private $lease;
	/** @var float Seconds; 0 = until the queue has nothing due. */
	private $time_limit;
	/** @var float Seconds to keep polling once nothing is due (a kicked worker). */
	private $idle_wait;

	public function __construct( Queue_Store $store, callable $sources, array $options = array() ) {
		$this->store      = $store;
		$this->sources    = $sources;
		$this->batch      = max( 1, (int) ( isset( $options['batch'] ) ? $options['batch'] : Settings::get( 'batch' ) ) );
		$this->lease      = max( 1, (int) ( isset( $options['lease'] ) ? $options['lease'] : Settings::get( 'lease' ) ) );
		$this->time_limit = (float) ( isset( $options['time_limit'] ) ? $options['time_limit'] : Settings::get( 'time_limit' ) );
		$this->idle_wait  = (float) ( isset( $options['idle_wait'] ) ? $options['idle_wait'] : 0 );
	}

	/**
	 * Runs until nothing is due (for idle_wait more seconds) or the time
	 * limit passes (checked between batches; a claimed batch is always
	 * finished).
	 *
	 * @return array{completed:int,retried:int,failed:int,lost:int,reclaimed:int}
	 */
	public function run() {
		$stats    = array_fill_keys( array( 'completed', 'retried', 'failed', 'lost', 'reclaimed' ), 0 );
		$deadline = $this->time_limit > 0 ? microtime( true ) + $this->time_limit : null;
		$idle_end = null;
		while ( null === $deadline || microtime( true ) < $deadline ) {
			$stats['reclaimed'] += $this->store->release_expired( $this->lease );
			$token               = bin2hex( random_bytes( 16 ) );
			$rows                = $this->store->claim( $token, $this->batch );
			foreach ( $rows as $row ) {
				$stats[ $this->process( $row, $token ) ]++;
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
	private function process( $row, $token ) {
		$source = call_user_func( $this->sources, $row->source );
		$max    = $source ? $source->max_attempts : Source::DEFAULT_ATTEMPTS;
		$error  = null;
		if ( ! $source ) {
			$error = "No source named \"{$row->source}\" is configured.";
		} elseif ( (int) $row->attempts > $max ) {
			// Only after a lease takeover: the last attempt's worker died.
			$error = 'Gave up after ' . $max . ' attempts. ' . $row->last_error;
			return $this->store->fail( $row->id, $token, $error, 0, true ) ? 'failed' : 'lost';
		} else {
			try {
				$delivery         = Delivery::from_row( $row );
				$delivery->signed = $source->signed_fields();
				self::dispatch( $source, $delivery );
			} catch ( \Throwable $e ) {
				$error = get_class( $e ) . ': ' . $e->getMessage();
			}
		}
		if ( null === $error ) {
			return $this->store->complete( $row->id, $token ) ? 'completed' : 'lost';
		}
		$error = Log::mask( $error );
		$final = (int) $row->attempts >= $max;
		Log::error( "delivery {$row->id} ({$row->source}) attempt {$row->attempts}/{$max} failed: $error" );
		$delay = $final ? 0 : self::backoff( $source ? $source->backoff : Source::DEFAULT_BACKOFF, (int) $row->attempts );
		if ( ! $this->store->fail( $row->id, $token, $error, $delay, $final ) ) {
			return 'lost';
		}
		return $final ? 'failed' : 'retried';
	}

	/**
	 * Seconds before attempt $attempt + 1: $base * 2^($attempt - 1), capped
	 * at 6 hours, with "equal jitter" (a random point in its upper half) so
	 * that deliveries failing together do not retry together.
	 */
	public static function backoff( $base, $attempt ) {
		$delay = min( self::MAX_DELAY, $base * ( 2 ** max( 0, $attempt - 1 ) ) );
		$half  = intdiv( (int) $delay, 2 );
		return (int) $delay - $half + random_int( 0, $half );
	}

	/** Calls the source's handler, or fires the actions when it has none. */
	public static function dispatch( Source $source, Delivery $delivery ) {
		if ( $source->handler ) {
			$result = call_user_func( $source->handler, $delivery );
			if ( function_exists( 'is_wp_error' ) && is_wp_error( $result ) ) {
				throw new \RuntimeException( $result->get_error_message() );
			}
			if ( false === $result ) {
				throw new \RuntimeException( 'The handler returned false.' );
			}
			return;
		}
		$action = 'hookguard_process_' . $source->name;
		if ( ! has_action( $action ) && ! has_action( 'hookguard_process' ) ) {
			throw new \RuntimeException( "Nothing handles this source: give it a \"handler\" or hook the \"$action\" or \"hookguard_process\" action." );
		}
		do_action( $action, $delivery );
		do_action( 'hookguard_process', $delivery );
	}
}
