<?php
/**
 * wp_die() taken over: WordPress picks its handler through one of several
 * filters, by the request's content type (a WooCommerce delivery is JSON, so
 * "wp_die_json_handler"), and calls it when it cannot reach its database.
 * The fast path answers instead; the CLI and workers throw Store_Error, so a
 * database failure is an error, never a page on stdout and exit status 0.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Wp_Die {

	/** The filters WordPress picks a wp_die() handler from. */
	const FILTERS = array( 'wp_die_handler', 'wp_die_json_handler', 'wp_die_jsonp_handler', 'wp_die_xml_handler', 'wp_die_ajax_handler' );

	/** A filter callback whose handler throws Store_Error with wp_die()'s message as plain text. */
	public static function thrower(): \Closure {
		return static function (): \Closure {
			return static function ( mixed $message ): never {
				$text = is_object( $message ) && method_exists( $message, 'get_error_message' ) ? $message->get_error_message() : (string) $message;
				$text = function_exists( 'wp_strip_all_tags' ) ? wp_strip_all_tags( $text ) : strip_tags( $text );
				throw new Store_Error( 'WordPress stopped: ' . trim( preg_replace( '/\s+/', ' ', $text ) ) );
			};
		};
	}

	/** Installs $callback on every wp_die() filter before WordPress loads (no add_filter() yet). */
	public static function preset( callable $callback, string $id ): void {
		foreach ( self::FILTERS as $filter ) {
			$GLOBALS['wp_filter'][ $filter ][ PHP_INT_MAX ][ $id ] = array(
				'function'      => $callback,
				'accepted_args' => 1,
			);
		}
	}

	/** Installs $callback on every wp_die() filter of a loaded WordPress; undo with remove(). */
	public static function add( callable $callback ): void {
		foreach ( self::FILTERS as $filter ) {
			add_filter( $filter, $callback, PHP_INT_MAX );
		}
	}

	public static function remove( callable $callback ): void {
		foreach ( self::FILTERS as $filter ) {
			remove_filter( $filter, $callback, PHP_INT_MAX );
		}
	}
}
