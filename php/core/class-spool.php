<?php
/**
 * The spool: where a verified delivery goes when the database cannot take
 * it (connection refused or timed out, read-only, table missing), so that
 * it is still acknowledged (202) and never lost.
 *
 * One file per delivery in a directory outside the web root, written as
 * WAL-style records are: the record (a header with its length and SHA-256,
 * then the delivery) goes to a temporary file, is fsynced, renamed into
 * place and the directory fsynced, all before the answer. A crash at any
 * point leaves either no record or a whole one; a torn or altered file
 * fails its checksum and is set aside, never queued. Names sort by time, so
 * replay keeps arrival order.
 *
 * replay() moves records into the queue table oldest first, one replayer at
 * a time (flock), deleting each only after the database acknowledged it.
 * Queue_Store::enqueue() is idempotent on (source, key), so a crash between
 * the INSERT and the unlink makes the next replay a duplicate, never a
 * second row: every acknowledged delivery ends up in the table exactly once.
 *
 * Where it lives is the adapter's choice (the WordPress plugin's
 * Spool::default_dir()).
 *
 * Bounded: past MAX_RECORDS records or MAX_BYTES bytes, or when the disk
 * refuses a write, append() returns null and the delivery is answered 503
 * with Retry-After.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

class Spool {

	const MAGIC       = "HGSPOOL1\n";
	const MAX_RECORDS = 100000;
	const MAX_BYTES   = 268435456;

	private string $dir;
	private int $max_records;
	private int $max_bytes;
	/** Test hook: called with each step of append() and replay(); may kill the process. */
	public static ?\Closure $step_hook = null;

	public function __construct( string $dir, int $max_records = self::MAX_RECORDS, int $max_bytes = self::MAX_BYTES ) {
		$this->dir         = rtrim( $dir, '/' );
		$this->max_records = $max_records;
		$this->max_bytes   = $max_bytes;
	}

	public function dir(): string {
		return $this->dir;
	}

	private static function step( string $name ): void {
		if ( self::$step_hook ) {
			call_user_func( self::$step_hook, $name );
		}
	}

	/**
	 * Stores one verified delivery durably.
	 *
	 * @return string|null The record's name, or null when the spool is full or the disk refused.
	 */
	public function append( string $source, string $key, string $topic, string $body, array $headers ): ?string {
		if ( ! $this->ready() ) {
			return null;
		}
		$payload = serialize( array( $source, $key, $topic, $body, $headers, gmdate( 'Y-m-d H:i:s' ) ) );
		$record  = self::MAGIC . strlen( $payload ) . ' ' . hash( 'sha256', $payload ) . "\n" . $payload;
		list( $count, $bytes ) = $this->usage();
		if ( $count >= $this->max_records || $bytes + strlen( $record ) > $this->max_bytes ) {
			Log::error( "spool full ($count records, $bytes bytes in {$this->dir}): a delivery was refused with 503" );
			return null;
		}
		// UTC time to the microsecond, so names sort by arrival ("20261129T175139.712897-….rec").
		$now  = microtime( true );
		$name = gmdate( 'Ymd\THis', (int) $now ) . sprintf( '.%06d-%s.rec', (int) ( ( $now - floor( $now ) ) * 1000000 ), bin2hex( random_bytes( 6 ) ) );
		$tmp  = $this->dir . '/.' . $name . '.tmp';
		$file = @fopen( $tmp, 'xb' ); // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged -- a refused write is answered 503.
		if ( ! $file ) {
			return null;
		}
		$written = @fwrite( $file, $record ); // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged
		$synced  = strlen( $record ) === $written && fflush( $file ) && fsync( $file );
		fclose( $file );
		self::step( 'written' );
		if ( ! $synced || ! @rename( $tmp, $this->dir . '/' . $name ) ) { // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged
			@unlink( $tmp ); // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged
			Log::error( "could not write to the spool in {$this->dir}: a delivery was refused with 503" );
			return null;
		}
		self::step( 'renamed' );
		$this->sync_dir();
		return $name;
	}

	/** Creates the directory (0700) if needed; false when it cannot be used. */
	private function ready(): bool {
		if ( ! is_dir( $this->dir ) && ! @mkdir( $this->dir, 0700, true ) && ! is_dir( $this->dir ) ) { // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged
			return false;
		}
		return is_writable( $this->dir );
	}

	/** Makes the rename durable (the directory entry), where PHP can open a directory for fsync. */
	private function sync_dir(): void {
		$dir = @fopen( $this->dir, 'r' ); // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged
		if ( $dir ) {
			@fsync( $dir ); // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged
			fclose( $dir );
		}
	}

	/** @return string[] Record names, oldest first. */
	public function records(): array {
		$names = is_dir( $this->dir ) ? (array) glob( $this->dir . '/*.rec' ) : array();
		$names = array_map( 'basename', $names );
		sort( $names, SORT_STRING );
		return $names;
	}

	/** @return array{0:int,1:int} How many records and bytes the spool holds. */
	public function usage(): array {
		$count = 0;
		$bytes = 0;
		foreach ( $this->records() as $name ) {
			++$count;
			$bytes += (int) @filesize( $this->dir . '/' . $name ); // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged
		}
		return array( $count, $bytes );
	}

	/**
	 * Moves records into the queue, oldest first, until the spool is empty
	 * or the database refuses one (then it stops, keeping the rest in order).
	 *
	 * @return array{moved:int,left:int,corrupt:int} What it did; "left" counts what is still spooled.
	 */
	public function replay( Queue_Store $store ): array {
		$done = array(
			'moved'   => 0,
			'left'    => 0,
			'corrupt' => 0,
		);
		if ( ! is_dir( $this->dir ) ) {
			return $done;
		}
		$lock = @fopen( $this->dir . '/.replay.lock', 'c' ); // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged
		if ( ! $lock || ! flock( $lock, LOCK_EX | LOCK_NB ) ) {
			$done['left'] = count( $this->records() ); // Another replayer is at work.
			return $done;
		}
		try {
			$names = $this->records();
			foreach ( $names as $i => $name ) {
				$path   = $this->dir . '/' . $name;
				$record = self::read( $path );
				if ( null === $record ) {
					// Torn or altered: kept aside for an operator, never queued.
					@rename( $path, $path . '.corrupt' ); // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged
					Log::error( "spool record $name failed its checksum; kept as $name.corrupt" );
					++$done['corrupt'];
					continue;
				}
				list( $source, $key, $topic, $body, $headers, $received_at ) = $record;
				$stored = $store->enqueue( $source, $key, $topic, $body, $headers, $received_at );
				if ( null === $stored ) {
					$done['left'] = count( $names ) - $i;
					return $done;
				}
				self::step( 'enqueued' );
				unlink( $path );
				++$done['moved'];
			}
			$this->sync_dir();
			return $done;
		} finally {
			flock( $lock, LOCK_UN );
			fclose( $lock );
		}
	}

	/** A record's fields, or null when it is not a whole, intact record. */
	private static function read( string $path ): ?array {
		$data = (string) @file_get_contents( $path ); // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged
		$head = strlen( self::MAGIC );
		$eol  = strpos( $data, "\n", $head );
		if ( 0 !== strncmp( $data, self::MAGIC, $head ) || false === $eol ) {
			return null;
		}
		$meta    = explode( ' ', substr( $data, $head, $eol - $head ) );
		$payload = substr( $data, $eol + 1 );
		if ( 2 !== count( $meta ) || strlen( $payload ) !== (int) $meta[0] || ! hash_equals( $meta[1], hash( 'sha256', $payload ) ) ) {
			return null;
		}
		$fields = unserialize( $payload, array( 'allowed_classes' => false ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions -- checksummed, written by append(), no objects.
		return is_array( $fields ) && 6 === count( $fields ) ? $fields : null;
	}
}
