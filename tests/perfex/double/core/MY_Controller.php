<?php
/**
 * TEST DOUBLE of Perfex's App_Controller and AdminController (written from
 * Perfex's documentation): App_Controller connects the database, loads the
 * url and form helpers, then every module's main file
 * (modules/<name>/<name>.php), which is after CodeIgniter's CSRF check, as
 * in Perfex. AdminController wants a staff login: here the header
 * X-Perfex-Double-Staff: 1 stands for one.
 */

defined( 'BASEPATH' ) || exit( 'No direct script access allowed' );

class App_Controller extends CI_Controller {

	public function __construct() {
		parent::__construct();
		$this->load->database();
		$this->load->helper( array( 'url', 'form' ) );
		foreach ( glob( FCPATH . 'modules/*', GLOB_ONLYDIR ) as $dir ) {
			$main = $dir . '/' . basename( $dir ) . '.php';
			if ( is_file( $main ) ) {
				require_once $main;
			}
		}
	}
}

class AdminController extends App_Controller {

	public function __construct() {
		parent::__construct();
		if ( '1' !== $this->input->get_request_header( 'X-Perfex-Double-Staff' ) ) {
			show_error( 'Staff login required', 403 );
		}
	}
}
