<?php
/**
 * HookGuard's log lines. Every message goes through mask(): e-mail
 * addresses, phone numbers and anything that looks like a key, token or
 * signature are masked. Callers never pass headers, secrets or bodies.
 *
 * Lines go to PHP's error_log (errors always, info only when $verbose says
 * so) and to $listener, through which an adapter passes them on (the
 * WordPress plugin: WP_DEBUG and the "hookguard_log" action).
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Log {

	/** Called with (level, masked line) after each line is written. */
	public static ?\Closure $listener = null;
	/** Returns whether info lines are written; none: they are not. */
	public static ?\Closure $verbose = null;

	public static function error( string $message ): void {
		self::write( 'error', $message );
	}

	public static function info( string $message ): void {
		if ( self::$verbose && call_user_func( self::$verbose ) ) {
			self::write( 'info', $message );
		}
	}

	private static function write( string $level, string $message ): void {
		$line = self::mask( $message );
		error_log( '[HookGuard] ' . $level . ': ' . $line ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions
		if ( self::$listener ) {
			call_user_func( self::$listener, $level, $line );
		}
	}

	/** Masks e-mail addresses, phone numbers and long tokens in $text. */
	public static function mask( string $text ): string {
		$text = (string) $text;
		// Whole runs of hex or base64 with letters and digits, 32+ long: signatures, secrets,
		// tokens (not paths or words, nor the hookguard_process_{source} action names the worker suggests).
		$text = preg_replace( '/(?<![A-Za-z0-9+\/_-])(?!hookguard_process_)(?:sha(?:1|256|512)=|v[01]=|whsec_)?(?=[A-Za-z0-9+\/_-]*[0-9])(?=[A-Za-z0-9+\/_-]*[A-Za-z])[A-Za-z0-9+\/_-]{32,}={0,2}/', '[redacted]', $text );
		$text = preg_replace_callback(
			'/([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/',
			static function ( array $m ): string {
				return $m[1] . '***@' . $m[2];
			},
			$text
		);
		// Phone numbers: "+" and 7-15 digits, digit groups with separators, or 8+ bare digits.
		return (string) preg_replace_callback(
			'/(?<![\w.])(?:\+\d[\d \-.()]{5,}\d|\(?\d{2,4}\)?[ \-.]\d{2,4}[ \-.]\d{2,6}(?:[ \-.]\d{2,4})?|\d{8,15})(?![\w])/',
			static function ( array $m ): string {
				$digits = preg_replace( '/\D/', '', $m[0] );
				if ( strlen( $digits ) < 7 || preg_match( '/^\d{4}-\d{2}-\d{2}$/', $m[0] ) ) {
					return $m[0];
				}
				return str_repeat( '*', strlen( $digits ) - 2 ) . substr( $digits, -2 );
			},
			$text
		);
	}
}
