<?php
/**
 * The core's worker inside Perfex: a delivery whose source has no handler
 * goes to the hooks integrators add ("hookguard_process_{source}", then
 * "hookguard_process", each given the HookGuard\Core\Delivery).
 *
 * @package HookGuard
 */

namespace HookGuard\Perfex;

use HookGuard\Core\Delivery;
use HookGuard\Core\Source;

final class Worker extends \HookGuard\Core\Worker {

	protected function dispatch( Source $source, Delivery $delivery ): void {
		if ( $source->handler ) {
			parent::dispatch( $source, $delivery );
			return;
		}
		$action = 'hookguard_process_' . $source->name;
		if ( ! hooks()->has_action( $action ) && ! hooks()->has_action( 'hookguard_process' ) ) {
			throw new \RuntimeException( "Nothing handles this source: add an action to the \"$action\" or \"hookguard_process\" hook." );
		}
		hooks()->do_action( $action, $delivery );
		hooks()->do_action( 'hookguard_process', $delivery );
	}
}
