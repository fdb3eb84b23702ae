<?php
/**
 * A source: one named sender and everything needed to receive from it.
 *
 * Built from hookguard_register_source()'s $args or from the admin's stored
 * settings; to_array()/from_array() give the plain form the fast path caches
 * (no handler there: only the worker needs it).
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Source {

	const NAME_PATTERN       = '/^[a-z0-9][a-z0-9_-]{0,63}$/D';
	const DEFAULT_MAX_BODY   = 1048576;
	const DEFAULT_FAIL_LIMIT = 120;
	const DEFAULT_PERIOD     = 60;
	const DEFAULT_ATTEMPTS   = 3;
	const DEFAULT_BACKOFF    = 30;

	/** Scheme options a source may set (the rest are for signing or tests). */
	const OPTION_KEYS = array( 'tolerance', 'algo', 'encoding', 'header', 'prefix', 'timestamp_header', 'id_header', 'signed_content' );

	const ARG_KEYS = array( 'scheme', 'secrets', 'options', 'topics', 'handler', 'idempotency', 'topic_from', 'max_body', 'json', 'rate_limit', 'sender_retries', 'max_attempts', 'backoff', 'label' );

	// Every property has a default: from_array() fills the ones get_object_vars() lists.
	public string $name = '';
	public string $label = '';
	public string $scheme = '';
	/** @var string[] Plain secrets (several during a rotation). */
	public array $secrets = array();
	public array $options = array();
	/** @var string[] Allowed topics ("order.*" patterns allowed); empty = all. */
	public array $topics = array();
	/** @var callable|null (PHP has no callable property type) */
	public mixed $handler = null;
	public string $idempotency = '';
	public string $topic_from = '';
	public int $max_body = 0;
	public bool $json = false;
	/** @var array{limit:int,period:int}|null Per client IP, for requests that fail verification. */
	public ?array $fail_limit = null;
	/** @var array{limit:int,period:int}|null For verified deliveries; only if the sender retries. */
	public ?array $verified_limit = null;
	public bool $sender_retries = false;
	public int $max_attempts = 0;
	/** Base delay in seconds of the exponential backoff. */
	public int $backoff = 0;
	/** "code" or "admin". */
	public string $origin = 'code';

	/**
	 * Validates hookguard_register_source() arguments.
	 *
	 * @throws \ValueError|\TypeError Naming the argument; never quoting a secret.
	 */
	public static function from_args( mixed $name, array $args, string $fn = 'hookguard_register_source' ): self {
		$fail = static function ( string $what ) use ( $fn ): never {
			throw new \ValueError( "$fn(): Argument #2 (\$args) $what" );
		};
		if ( ! is_string( $name ) || ! preg_match( self::NAME_PATTERN, $name ) ) {
			throw new \ValueError( "$fn(): Argument #1 (\$name) must be 1 to 64 characters of a-z, 0-9, \"-\" and \"_\", starting with a letter or digit" );
		}
		$unknown = array_diff( array_keys( $args ), self::ARG_KEYS );
		if ( $unknown ) {
			$fail( 'has an unknown key "' . reset( $unknown ) . '"; known keys are "' . implode( '", "', self::ARG_KEYS ) . '"' );
		}
		$s       = new self();
		$s->name = $name;

		$scheme = isset( $args['scheme'] ) ? $args['scheme'] : null;
		if ( ! is_string( $scheme ) || ! in_array( $scheme, Scheme_Profile::schemes(), true ) ) {
			$fail( 'key "scheme" must be one of "' . implode( '", "', Scheme_Profile::schemes() ) . '"' );
		}
		$s->scheme = $scheme;
		$s->label = isset( $args['label'] ) && is_string( $args['label'] ) ? $args['label'] : $name;

		$secrets = isset( $args['secrets'] ) ? $args['secrets'] : null;
		$secrets = is_string( $secrets ) ? array( $secrets ) : $secrets;
		if ( ! is_array( $secrets ) || ! $secrets ) {
			$fail( 'key "secrets" must be a non-empty string or a non-empty list of strings' );
		}
		foreach ( $secrets as $secret ) {
			if ( ! is_string( $secret ) || '' === $secret ) {
				$fail( 'key "secrets" must contain only non-empty strings' );
			}
		}
		$s->secrets = array_values( $secrets );

		$options = isset( $args['options'] ) ? $args['options'] : array();
		if ( ! is_array( $options ) ) {
			$fail( 'key "options" must be an array' );
		}
		$s->options = $options;
		$bad = array_diff( array_keys( $s->options ), self::OPTION_KEYS );
		if ( $bad ) {
			$fail( 'key "options" has an unknown option "' . reset( $bad ) . '"; sources may set "' . implode( '", "', self::OPTION_KEYS ) . '"' );
		}

		$topics = isset( $args['topics'] ) ? $args['topics'] : array();
		$topics = is_string( $topics ) ? array_filter( array_map( 'trim', explode( ',', $topics ) ) ) : $topics;
		if ( ! is_array( $topics ) || array_filter( $topics, static function ( mixed $t ): bool { return ! is_string( $t ) || '' === $t; } ) ) {
			$fail( 'key "topics" must be a list of topic names' );
		}
		$s->topics = array_values( $topics );

		$s->handler = isset( $args['handler'] ) ? $args['handler'] : null;
		if ( null !== $s->handler && ! is_callable( $s->handler ) ) {
			$fail( 'key "handler" must be callable' );
		}

		$s->idempotency = self::spec_arg( $args, 'idempotency', Scheme_Profile::idempotency_spec( $s->scheme, $s->options ), true, $fail );
		$s->topic_from  = self::spec_arg( $args, 'topic_from', Scheme_Profile::topic_spec( $s->scheme ), false, $fail );

		$s->max_body       = self::int_arg( $args, 'max_body', self::DEFAULT_MAX_BODY, 1, $fail );
		$s->max_attempts   = self::int_arg( $args, 'max_attempts', self::DEFAULT_ATTEMPTS, 1, $fail );
		$s->backoff        = self::int_arg( $args, 'backoff', self::DEFAULT_BACKOFF, 0, $fail );
		$s->json           = self::bool_arg( $args, 'json', Scheme_Profile::json( $s->scheme ), $fail );
		$s->sender_retries = self::bool_arg( $args, 'sender_retries', Scheme_Profile::sender_retries( $s->scheme ), $fail );

		$limits = isset( $args['rate_limit'] ) ? $args['rate_limit'] : array();
		if ( ! is_array( $limits ) || array_diff( array_keys( $limits ), array( 'failed', 'verified' ) ) ) {
			$fail( 'key "rate_limit" must be an array with the keys "failed" and/or "verified"' );
		}
		$s->fail_limit     = self::limit_arg( $limits, 'failed', array( 'limit' => self::DEFAULT_FAIL_LIMIT, 'period' => self::DEFAULT_PERIOD ), $fail );
		$s->verified_limit = self::limit_arg( $limits, 'verified', null, $fail );
		if ( $s->verified_limit && ! $s->sender_retries ) {
			$fail( 'key "rate_limit" sets a "verified" limit, but this sender does not retry: a rejected delivery would be lost (set "sender_retries" => true if it does)' );
		}

		self::check_with_extension( $s, $fn );
		return $s;
	}

	/** Lets the extension validate the scheme options and each secret. */
	private static function check_with_extension( Source $s, string $fn ): void {
		if ( ! function_exists( 'hookguard_sign' ) ) {
			return;
		}
		foreach ( $s->secrets as $secret ) {
			try {
				hookguard_sign( $s->scheme, '', $secret, array_diff_key( $s->options, array( 'tolerance' => 1 ) ) );
				hookguard_check( $s->scheme, "", array(), $secret, $s->options );
			} catch ( \ValueError $e ) {
				throw new \ValueError( "$fn(): Argument #2 (\$args) is not accepted by scheme \"{$s->scheme}\": " . self::reason( $e ) );
			} catch ( \TypeError $e ) {
				throw new \TypeError( "$fn(): Argument #2 (\$args) is not accepted by scheme \"{$s->scheme}\": " . self::reason( $e ) );
			}
		}
	}

	/** The extension's message without its own "fn(): Argument #n ($x)" prefix. */
	private static function reason( \Throwable $e ): string {
		$message = preg_replace( '/^[a-z_]+\(\): Argument #\d+ \(\$(\w+)\) /', '$1 ', $e->getMessage() );
		return 'secret ' === substr( $message, 0, 7 ) ? 'a secret ' . substr( $message, 7 ) : $message;
	}

	private static function spec_arg( array $args, string $key, string $default, bool $special, callable $fail ): string {
		if ( ! isset( $args[ $key ] ) || '' === $args[ $key ] ) {
			return $default;
		}
		if ( ! is_string( $args[ $key ] ) || ! Scheme_Profile::valid_spec( $args[ $key ], $special ) ) {
			$fail( "key \"$key\" must be \"header:Name\", \"json:path.to.field\", \"value:text\"" . ( $special ? ' or "body"' : '' ) . ', or several joined by "|"' );
		}
		return $args[ $key ];
	}

	private static function int_arg( array $args, string $key, int $default, int $min, callable $fail ): int {
		if ( ! isset( $args[ $key ] ) ) {
			return $default;
		}
		if ( ! is_int( $args[ $key ] ) || $args[ $key ] < $min ) {
			$fail( "key \"$key\" must be an integer of at least $min" );
		}
		return $args[ $key ];
	}

	private static function bool_arg( array $args, string $key, bool $default, callable $fail ): bool {
		if ( ! isset( $args[ $key ] ) ) {
			return $default;
		}
		if ( ! is_bool( $args[ $key ] ) ) {
			$fail( "key \"$key\" must be a bool" );
		}
		return $args[ $key ];
	}

	private static function limit_arg( array $limits, string $key, ?array $default, callable $fail ): ?array {
		if ( ! array_key_exists( $key, $limits ) ) {
			return $default;
		}
		$l = $limits[ $key ];
		if ( false === $l || null === $l ) {
			return null;
		}
		if ( ! is_array( $l ) || ! isset( $l['limit'], $l['period'] ) || ! is_int( $l['limit'] ) || ! is_int( $l['period'] ) || $l['limit'] < 1 || $l['period'] < 1 ) {
			$fail( "key \"rate_limit\" must give \"$key\" as false or array('limit' => int >= 1, 'period' => seconds >= 1)" );
		}
		return array( 'limit' => $l['limit'], 'period' => $l['period'] );
	}

	/** Whether a topic is accepted (empty list = all; "order.*" patterns). */
	public function accepts_topic( string $topic ): bool {
		if ( ! $this->topics ) {
			return true;
		}
		foreach ( $this->topics as $pattern ) {
			if ( $pattern === $topic || ( '*' === substr( $pattern, -1 ) && strncmp( $topic, $pattern, strlen( $pattern ) - 1 ) === 0 ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The one topic this source accepts, when it lists exactly one topic and
	 * no pattern. Its deliveries are then bound to that topic: one with any
	 * other topic is ignored, so a body signed for this source cannot be
	 * replayed under another topic. A WooCommerce webhook has one topic and,
	 * by default, its own secret: give each its own source, bound this way.
	 */
	public function bound_topic(): ?string {
		return 1 === count( $this->topics ) && '*' !== substr( $this->topics[0], -1 ) ? $this->topics[0] : null;
	}

	/**
	 * What a delivery's signature vouches for: "body" always; "topic" when
	 * the source is bound to one topic or reads it from signed bytes;
	 * "idempotency" when the key comes from signed bytes; and the names of
	 * the signed headers. Everything else in a delivery is unauthenticated.
	 *
	 * @return string[]
	 */
	public function signed_fields(): array {
		$fields = array( 'body' );
		if ( null !== $this->bound_topic() || Scheme_Profile::spec_is_signed( $this->topic_from, $this->scheme, $this->options ) ) {
			$fields[] = 'topic';
		}
		if ( Scheme_Profile::spec_is_signed( $this->idempotency, $this->scheme, $this->options ) ) {
			$fields[] = 'idempotency';
		}
		return array_merge( $fields, Scheme_Profile::signed_headers( $this->scheme, $this->options ) );
	}

	/** The plain form (handler excluded), with secrets as given by $seal. */
	public function to_array( ?callable $seal = null ): array {
		$out = get_object_vars( $this );
		unset( $out['handler'] );
		if ( $seal ) {
			$out['secrets'] = array_map( $seal, $this->secrets );
		}
		return $out;
	}

	/**
	 * Rebuilds a source from to_array() output; $open reverses $seal (false =
	 * unreadable). A stored "handler" is never taken: handlers come from
	 * code only, never from the database.
	 */
	public static function from_array( array $data, ?callable $open = null ): self {
		$s = new self();
		foreach ( get_object_vars( $s ) as $key => $_ ) {
			if ( 'handler' !== $key && array_key_exists( $key, $data ) ) {
				$s->$key = $data[ $key ];
			}
		}
		if ( $open ) {
			$s->secrets = array_values( array_filter( array_map( $open, (array) $s->secrets ), 'is_string' ) );
		}
		return $s;
	}
}
