<?php
/**
 * A destination: one receiver HookGuard pushes events to, and how.
 *
 * Built from hookguard_register_destination()'s arguments (or the admin's
 * stored form) by from_args(), which validates every key and throws a
 * ValueError/TypeError naming the argument, never quoting the secret.
 *
 * headers() signs a body at send time: timestamped schemes get $now, the
 * id-carrying ones the event id, so a retry carries a fresh timestamp and
 * the same id. A destination built in code may bring its own $signer (the
 * WooCommerce takeover signs as WooCommerce does).
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Destination {

	const NAME_PATTERN    = '/^[a-z0-9][a-z0-9_:-]{0,63}$/D';
	const EVENT_PATTERN   = '/^(?:\*|[a-z0-9_-]+(?:\.[a-z0-9_-]+)*(?:\.\*)?)$/D';
	const DEFAULT_TIMEOUT = 10;
	const MAX_TIMEOUT     = 120;

	/** Scheme options a destination may set (those hookguard_sign() reads). */
	const OPTION_KEYS = array( 'algo', 'encoding', 'header', 'prefix', 'timestamp_header', 'id_header', 'signed_content' );
	const ARG_KEYS    = array( 'url', 'scheme', 'secret', 'events', 'max_attempts', 'backoff', 'timeout', 'options', 'label', 'enabled' );

	public string $name = '';
	public string $label = '';
	public string $url = '';
	public string $scheme = '';
	/** @var string Plain signing secret ('' when unreadable: sends then fail). */
	public string $secret = '';
	/** @var string[] Event names, "woocommerce.*" patterns or "*". */
	public array $events = array();
	public int $max_attempts = 0;
	/** @var float Base delay of the backoff, seconds. */
	public float $backoff = 0.0;
	/** @var float Seconds for one attempt. */
	public float $timeout = 0.0;
	public array $options = array();
	public bool $enabled = true;
	/** @var string "1.1", or "1.0" to speak as a sender that does (WooCommerce). Code only. */
	public string $http_version = '1.1';
	/** @var string "code", "admin" or another adapter's word. */
	public string $origin = 'code';
	/** @var callable(string $body, string $event_id, int $now, array $stored_headers):array|null */
	public ?\Closure $signer = null;

	/**
	 * @throws \ValueError|\TypeError Naming the argument; never quoting a secret.
	 */
	public static function from_args( mixed $name, array $args, string $fn = 'hookguard_register_destination' ): self {
		$fail = static function ( string $what ) use ( $fn ): never {
			throw new \ValueError( "$fn(): Argument #2 (\$args) $what" );
		};
		if ( ! is_string( $name ) || ! preg_match( self::NAME_PATTERN, $name ) ) {
			throw new \ValueError( "$fn(): Argument #1 (\$name) must be 1 to 64 characters of a-z, 0-9, \"-\", \"_\" and \":\", starting with a letter or digit" );
		}
		$unknown = array_diff( array_keys( $args ), self::ARG_KEYS );
		if ( $unknown ) {
			$fail( 'has an unknown key "' . reset( $unknown ) . '"; known keys are "' . implode( '", "', self::ARG_KEYS ) . '"' );
		}
		$d        = new self();
		$d->name  = $name;
		$d->label = isset( $args['label'] ) && is_string( $args['label'] ) && '' !== $args['label'] ? $args['label'] : $name;

		$url = $args['url'] ?? null;
		if ( ! is_string( $url ) || null !== self::url_problem( $url ) ) {
			$fail( 'key "url" ' . ( is_string( $url ) ? self::url_problem( $url ) : 'must be a string' ) );
		}
		$d->url = $url;

		$schemes   = function_exists( 'hookguard_schemes' ) ? hookguard_schemes() : array();
		$scheme    = $args['scheme'] ?? null;
		if ( ! is_string( $scheme ) || ( $schemes && ! in_array( $scheme, $schemes, true ) ) ) {
			$fail( 'key "scheme" must be one of "' . implode( '", "', $schemes ) . '"' );
		}
		$d->scheme = $scheme;

		$secret = $args['secret'] ?? null;
		if ( ! is_string( $secret ) || '' === $secret ) {
			$fail( 'key "secret" must be a non-empty string' );
		}
		$d->secret = $secret;

		$events = $args['events'] ?? null;
		$events = is_string( $events ) ? array_values( array_filter( array_map( 'trim', explode( ',', $events ) ) ) ) : $events;
		if ( ! is_array( $events ) || ! $events ) {
			$fail( 'key "events" must be a non-empty list of event names' );
		}
		foreach ( $events as $event ) {
			if ( ! is_string( $event ) || ! preg_match( self::EVENT_PATTERN, $event ) ) {
				$fail( 'key "events" must hold event names like "woocommerce.order.completed", "woocommerce.*" or "*"' );
			}
		}
		$d->events = array_values( array_unique( $events ) );

		$options = $args['options'] ?? array();
		if ( ! is_array( $options ) ) {
			$fail( 'key "options" must be an array' );
		}
		$d->options = $options;
		$bad = array_diff( array_keys( $d->options ), self::OPTION_KEYS );
		if ( $bad ) {
			$fail( 'key "options" has an unknown option "' . reset( $bad ) . '"; destinations may set "' . implode( '", "', self::OPTION_KEYS ) . '"' );
		}

		$d->max_attempts = self::number( $args, 'max_attempts', Retry_Policy::DEFAULT_ATTEMPTS, 1, 100, true, $fail );
		$d->backoff      = (float) self::number( $args, 'backoff', Retry_Policy::DEFAULT_BACKOFF, 0, Retry_Policy::MAX_DELAY, false, $fail );
		$d->timeout      = (float) self::number( $args, 'timeout', self::DEFAULT_TIMEOUT, 0.1, self::MAX_TIMEOUT, false, $fail );
		if ( isset( $args['enabled'] ) ) {
			if ( ! is_bool( $args['enabled'] ) ) {
				$fail( 'key "enabled" must be a bool' );
			}
			$d->enabled = $args['enabled'];
		}

		if ( function_exists( 'hookguard_sign' ) ) {
			try {
				hookguard_sign( $d->scheme, '', $d->secret, $d->options + array( 'timestamp' => 0, 'id' => 'check' ) );
			} catch ( \ValueError | \TypeError $e ) {
				$class   = get_class( $e );
				$message = preg_replace( '/^[a-z_]+\(\): Argument #\d+ \(\$(\w+)\) /', '$1 ', $e->getMessage() );
				throw new $class( "$fn(): Argument #2 (\$args) is not accepted by scheme \"{$d->scheme}\": " . ( 'secret ' === substr( $message, 0, 7 ) ? 'the secret ' . substr( $message, 7 ) : $message ) );
			}
		}
		return $d;
	}

	/** Why $url cannot be a destination, or null when it can. */
	public static function url_problem( string $url ): ?string {
		$parts = parse_url( $url );
		if ( ! $parts || ! isset( $parts['scheme'], $parts['host'] ) || ! in_array( strtolower( $parts['scheme'] ), array( 'http', 'https' ), true ) ) {
			return 'must be an absolute http:// or https:// URL';
		}
		if ( isset( $parts['user'] ) || isset( $parts['pass'] ) ) {
			return 'must not carry a user name or password (put credentials in the signing secret)';
		}
		if ( isset( $parts['fragment'] ) || preg_match( '/[\s\x00-\x1f\x7f]/', $url ) ) {
			return 'must not hold a fragment, spaces or control characters';
		}
		return null;
	}

	private static function number( array $args, string $key, int|float $default, int|float $min, int|float $max, bool $int, callable $fail ): int|float {
		if ( ! isset( $args[ $key ] ) ) {
			return $default;
		}
		$value = $args[ $key ];
		if ( ! ( is_int( $value ) || ( ! $int && is_float( $value ) ) ) || $value < $min || $value > $max ) {
			$fail( "key \"$key\" must be a" . ( $int ? 'n integer' : ' number' ) . " from $min to $max" );
		}
		return $value;
	}

	/** Whether this destination gets $event. */
	public function wants( string $event ): bool {
		foreach ( $this->events as $pattern ) {
			if ( '*' === $pattern || $pattern === $event || ( '.*' === substr( $pattern, -2 ) && 0 === strncmp( $event, substr( $pattern, 0, -1 ), strlen( $pattern ) - 1 ) ) ) {
				return true;
			}
		}
		return false;
	}

	public function retry_policy(): Retry_Policy {
		return new Retry_Policy( $this->backoff );
	}

	/**
	 * The request headers for $body signed now: the scheme's signature
	 * headers (timestamp $now, id $event_id), Content-Type, and the
	 * headers stored with the row (a custom signer decides for itself).
	 *
	 * @param array<string,string> $stored Headers kept in the outbox row.
	 * @return array<string,string>
	 */
	public function headers( string $body, string $event_id, int $now, array $stored = array() ): array {
		if ( $this->signer ) {
			return call_user_func( $this->signer, $body, $event_id, $now, $stored );
		}
		$signed = hookguard_sign( $this->scheme, $body, $this->secret, $this->options + array( 'timestamp' => $now, 'id' => $event_id ) );
		return array( 'Content-Type' => 'application/json' ) + $stored + array( 'X-HookGuard-Event-Id' => $event_id ) + $signed;
	}

	/** The plain form (signer excluded); $seal turns the secret into its stored form. */
	public function to_array( ?callable $seal = null ): array {
		$out = get_object_vars( $this );
		unset( $out['signer'] );
		if ( $seal ) {
			$out['secret'] = call_user_func( $seal, $this->secret );
		}
		return $out;
	}

	/** Rebuilds a destination from to_array(); $open reverses $seal (false = unreadable: secret ''). */
	public static function from_array( array $data, ?callable $open = null ): self {
		$d = new self();
		foreach ( get_object_vars( $d ) as $key => $_ ) {
			if ( 'signer' !== $key && array_key_exists( $key, $data ) ) {
				$d->$key = $data[ $key ];
			}
		}
		if ( $open ) {
			$plain     = call_user_func( $open, (string) $d->secret );
			$d->secret = is_string( $plain ) ? $plain : '';
		}
		return $d;
	}
}
