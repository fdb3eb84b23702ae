<?php
/**
 * The public receive URI, hookguard/receive/{source}: no staff login, no
 * CSRF token (config/csrf_exclude_uris.php), the core's Receiver deciding
 * the answer exactly as the WordPress plugin's does (README: the receiver's
 * table). Anything after {source} is not this URI: 404 (and a POST there
 * never gets past the CSRF check).
 *
 * @package HookGuard
 */

defined( 'BASEPATH' ) || exit( 'No direct script access allowed' );

use HookGuard\Core\Request;
use HookGuard\Core\Response;
use HookGuard\Perfex\Module;

class Receive extends App_Controller {

	/** Every method segment is a source name: _remap() takes the call. */
	public function _remap( string $source, array $params = array() ): void {
		if ( $params ) {
			$this->answer( new Response( 404, array( 'error' => 'not_found', 'message' => 'No such endpoint.' ) ) );
			return;
		}
		$headers = array();
		foreach ( (array) $this->input->request_headers() as $name => $value ) {
			if ( is_string( $value ) ) {
				$headers[ strtr( strtolower( $name ), '_', '-' ) ] = $value;
			}
		}
		$request  = new Request( (string) $this->input->method( true ), rawurldecode( (string) $source ), (string) $this->input->raw_input_stream, $headers, (string) $this->input->server( 'REMOTE_ADDR' ) );
		$this->answer( Module::receiver()->receive( $request ) );
	}

	private function answer( Response $response ): void {
		$this->output->set_status_header( $response->status )->set_content_type( 'application/json', 'utf-8' );
		foreach ( $response->headers as $name => $value ) {
			$this->output->set_header( $name . ': ' . $value );
		}
		$this->output->set_header( 'Cache-Control: no-store' );
		$this->output->set_output( $response->json() );
	}
}
