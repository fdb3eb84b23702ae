<?php
/**
 * HookGuard → Queue: counts per status, recent failures with their errors,
 * recent deliveries, and the retry and purge actions.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Admin_Monitor_Page {

	const SLUG = 'hookguard-queue';

	public static function hook(): void {
		add_action( 'admin_menu', array( self::class, 'menu' ) );
		add_action( 'admin_post_hookguard_retry', array( self::class, 'retry' ) );
		add_action( 'admin_post_hookguard_purge', array( self::class, 'purge' ) );
	}

	public static function menu(): void {
		add_submenu_page( Admin_Sources_Page::SLUG, __( 'HookGuard queue', 'hookguard' ), __( 'Queue', 'hookguard' ), Admin_Sources_Page::capability(), self::SLUG, array( self::class, 'render' ) );
	}

	public static function retry(): void {
		Admin_Sources_Page::require_capability( 'hookguard_retry' );
		$id = isset( $_POST['id'] ) ? absint( $_POST['id'] ) : 0; // phpcs:ignore WordPress.Security.NonceVerification -- checked above.
		$n  = ( new Queue_Store() )->retry_failed( $id ? array( $id ) : null );
		/* translators: %d: number of deliveries */
		Admin_Sources_Page::redirect( self::SLUG, 'success', sprintf( _n( '%d failed delivery queued again.', '%d failed deliveries queued again.', $n, 'hookguard' ), $n ) );
	}

	public static function purge(): void {
		Admin_Sources_Page::require_capability( 'hookguard_purge' );
		$status = isset( $_POST['status'] ) && 'failed' === $_POST['status'] ? 'failed' : 'completed'; // phpcs:ignore WordPress.Security.NonceVerification
		$days   = isset( $_POST['days'] ) ? absint( $_POST['days'] ) : 30; // phpcs:ignore WordPress.Security.NonceVerification
		$n      = ( new Queue_Store() )->purge( $status, $days );
		/* translators: 1: number of deliveries, 2: status */
		Admin_Sources_Page::redirect( self::SLUG, 'success', sprintf( _n( '%1$d %2$s delivery deleted.', '%1$d %2$s deliveries deleted.', $n, 'hookguard' ), $n, $status ) );
	}

	private static function action_form( string $action, string $nonce, string $label, array $fields = array(), string $class = 'button' ): void {
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" style="display:inline-block;margin-right:1em">';
		wp_nonce_field( $nonce );
		echo '<input type="hidden" name="action" value="' . esc_attr( $action ) . '">';
		foreach ( $fields as $name => $field ) {
			echo $field; // phpcs:ignore WordPress.Security.EscapeOutput -- built from escaped parts by the callers.
		}
		echo '<button type="submit" class="' . esc_attr( $class ) . '">' . esc_html( $label ) . '</button></form>';
	}

	public static function render(): void {
		if ( ! current_user_can( Admin_Sources_Page::capability() ) ) {
			return;
		}
		$store = new Queue_Store();
		echo '<div class="wrap"><h1>' . esc_html__( 'HookGuard queue', 'hookguard' ) . '</h1>';
		Admin_Sources_Page::notice();

		echo '<table class="widefat hookguard-counts" style="max-width:40em"><thead><tr>';
		$counts = $store->counts();
		foreach ( array_keys( $counts ) as $status ) {
			echo '<th>' . esc_html( $status ) . '</th>';
		}
		echo '</tr></thead><tbody><tr>';
		foreach ( $counts as $status => $n ) {
			echo '<td class="hookguard-count" data-status="' . esc_attr( $status ) . '">' . esc_html( number_format_i18n( $n ) ) . '</td>';
		}
		echo '</tr></tbody></table><p>';
		self::action_form( 'hookguard_retry', 'hookguard_retry', __( 'Retry all failed', 'hookguard' ) );
		$days = static function ( int|string $default ): string {
			return '<label>' . esc_html__( 'older than', 'hookguard' ) . ' <input type="number" name="days" min="0" value="' . esc_attr( (string) $default ) . '" style="width:5em"> ' . esc_html__( 'days', 'hookguard' ) . '</label> ';
		};
		self::action_form( 'hookguard_purge', 'hookguard_purge', __( 'Delete completed', 'hookguard' ), array( '<input type="hidden" name="status" value="completed">', $days( Settings::get( 'retention_days' ) ) ) );
		self::action_form( 'hookguard_purge', 'hookguard_purge', __( 'Delete failed', 'hookguard' ), array( '<input type="hidden" name="status" value="failed">', $days( 30 ) ), 'button button-link-delete' );
		echo '</p>';

		echo '<h2>' . esc_html__( 'Recent failures', 'hookguard' ) . '</h2>';
		$failures = $store->recent_failures( 20 );
		self::rows_table( $failures, true );

		echo '<h2>' . esc_html__( 'Recent deliveries', 'hookguard' ) . '</h2>';
		self::rows_table( $store->recent( 20 ), false );
		echo '</div>';
	}

	private static function rows_table( array $rows, bool $failures ): void {
		$headings = array( 'ID', __( 'Source', 'hookguard' ), __( 'Topic', 'hookguard' ), __( 'Status', 'hookguard' ), __( 'Attempts', 'hookguard' ), __( 'Received (UTC)', 'hookguard' ), __( 'Next attempt / done (UTC)', 'hookguard' ), __( 'Last error', 'hookguard' ) );
		echo '<table class="widefat striped ' . esc_attr( $failures ? 'hookguard-failures' : 'hookguard-recent' ) . '"><thead><tr>';
		foreach ( $headings as $heading ) {
			echo '<th>' . esc_html( $heading ) . '</th>';
		}
		echo ( $failures ? '<th></th>' : '' ) . '</tr></thead><tbody>';
		if ( ! $rows ) {
			echo '<tr><td colspan="' . ( $failures ? 9 : 8 ) . '">' . esc_html__( 'None.', 'hookguard' ) . '</td></tr>';
		}
		foreach ( $rows as $row ) {
			$when = in_array( $row->status, array( 'completed', 'failed' ), true ) ? $row->processed_at : $row->next_attempt_at;
			echo '<tr data-id="' . esc_attr( $row->id ) . '" data-status="' . esc_attr( $row->status ) . '">';
			foreach ( array( $row->id, $row->source, $row->topic, $row->status, $row->attempts, $row->received_at, $when ) as $cell ) {
				echo '<td>' . esc_html( (string) $cell ) . '</td>';
			}
			echo '<td class="hookguard-error"><code>' . esc_html( (string) $row->last_error ) . '</code></td>';
			if ( $failures ) {
				echo '<td>';
				if ( 'failed' === $row->status ) {
					self::action_form( 'hookguard_retry', 'hookguard_retry', __( 'Retry', 'hookguard' ), array( '<input type="hidden" name="id" value="' . esc_attr( $row->id ) . '">' ) );
				}
				echo '</td>';
			}
			echo '</tr>';
		}
		echo '</tbody></table>';
	}
}
