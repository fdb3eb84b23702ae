<?php
/**
 * Setup → HookGuard (staff with the "settings" permission): sources with
 * write-only secrets (sealed at rest), the worker URL, and the queue view
 * (counts, recent deliveries, failures with their errors, retry).
 * Every form carries Perfex's CSRF token (form_open()).
 *
 * @package HookGuard
 */

defined( 'BASEPATH' ) || exit( 'No direct script access allowed' );

use HookGuard\Core\Scheme_Profile;
use HookGuard\Perfex\Module;
use HookGuard\Perfex\Source_Registry;

class Hookguard extends AdminController {

	public function __construct() {
		parent::__construct();
		if ( ! staff_can( 'view', 'settings' ) ) {
			access_denied( 'settings' );
		}
	}

	public function index(): void {
		$store = Module::store();
		$this->load->view(
			'hookguard/settings',
			array(
				'title'      => 'HookGuard',
				'sources'    => Source_Registry::all(),
				'schemes'    => Scheme_Profile::schemes(),
				'counts'     => $store->counts(),
				'recent'     => $store->recent( 50 ),
				'failures'   => $store->recent_failures( 20 ),
				'worker_url' => site_url( 'hookguard/worker/run' ) . '?key=' . rawurlencode( (string) get_option( Module::WORKER_KEY_OPTION ) ),
				'receive'    => site_url( 'hookguard/receive' ),
			)
		);
	}

	public function save_source(): void {
		$name    = (string) $this->input->post( 'name' );
		$secret  = (string) $this->input->post( 'secret' );
		$args    = array( 'scheme' => (string) $this->input->post( 'scheme' ) );
		$topics  = trim( (string) $this->input->post( 'topics' ) );
		if ( '' !== $secret ) {
			$args['secrets'] = array( $secret );
		}
		if ( '' !== $topics ) {
			$args['topics'] = array_values( array_filter( array_map( 'trim', explode( ',', $topics ) ) ) );
		}
		try {
			Source_Registry::save( $name, $args );
			set_alert( 'success', 'Source saved.' );
		} catch ( \ValueError | \TypeError | \RuntimeException $e ) {
			set_alert( 'danger', $e->getMessage() ); // Messages name arguments, never secrets.
		}
		redirect( admin_url( 'hookguard' ) );
	}

	public function delete_source(): void {
		Source_Registry::delete( (string) $this->input->post( 'name' ) );
		set_alert( 'success', 'Source deleted.' );
		redirect( admin_url( 'hookguard' ) );
	}

	public function retry(): void {
		$id = (int) $this->input->post( 'id' );
		$n  = Module::store()->retry_failed( $id ? array( $id ) : null );
		set_alert( 'success', $n . ' failed deliveries queued again.' );
		redirect( admin_url( 'hookguard' ) );
	}
}
