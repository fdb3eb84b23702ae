<?php
/**
 * Runs the queue's worker now, for sites whose Perfex cron is too slow
 * (every 300 s by default):
 *   php index.php hookguard worker run          (CLI: no key needed)
 *   GET /hookguard/worker/run?key=WORKER_KEY     (e.g. a system cron with curl)
 * The key is the hookguard_worker_key option (shown on the settings page).
 * Answers the worker's counts as JSON.
 *
 * @package HookGuard
 */

defined( 'BASEPATH' ) || exit( 'No direct script access allowed' );

use HookGuard\Perfex\Module;

class Worker extends App_Controller {

	public function run(): void {
		$expected = (string) get_option( Module::WORKER_KEY_OPTION );
		if ( ! is_cli() && ( '' === $expected || ! hash_equals( $expected, (string) $this->input->get( 'key' ) ) ) ) {
			$this->output->set_status_header( 403 )->set_content_type( 'application/json', 'utf-8' )
				->set_output( json_encode( array( 'error' => 'forbidden', 'message' => 'A valid worker key is required.' ) ) );
			return;
		}
		$stats = Module::drain();
		$this->output->set_status_header( isset( $stats['error'] ) && 'busy' !== $stats['error'] ? 503 : 200 )
			->set_content_type( 'application/json', 'utf-8' )->set_output( json_encode( $stats ) );
	}
}
