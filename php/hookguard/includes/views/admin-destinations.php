<?php
/**
 * The Destinations page (HookGuard\Admin_Destinations_Page::render()).
 * $view: destinations, current (being edited), test (Test connection
 * result), counts, failures, settings, schemes, events.
 *
 * @package HookGuard
 */

use HookGuard\Admin_Sources_Page;
use HookGuard\Crypto;

defined( 'ABSPATH' ) || exit;

$hg_post_form = static function ( string $action, string $nonce, string $label, array $fields = array(), string $class = 'button' ): void {
	?>
	<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" style="display:inline">
		<?php wp_nonce_field( $nonce ); ?>
		<input type="hidden" name="action" value="<?php echo esc_attr( $action ); ?>">
		<?php foreach ( $fields as $hg_name => $hg_value ) : ?>
			<input type="hidden" name="<?php echo esc_attr( $hg_name ); ?>" value="<?php echo esc_attr( (string) $hg_value ); ?>">
		<?php endforeach; ?>
		<button type="submit" class="<?php echo esc_attr( $class ); ?>"><?php echo esc_html( $label ); ?></button>
	</form>
	<?php
};
$hg_d = $view['current'];
?>
<div class="wrap">
<h1><?php esc_html_e( 'HookGuard destinations', 'hookguard' ); ?></h1>
<?php Admin_Sources_Page::notice(); ?>
<?php if ( $view['test'] ) : ?>
	<?php $hg_class = $view['test']['ok'] ? 'success' : ( 'unproven' === $view['test']['result'] ? 'warning' : 'error' ); ?>
	<div class="notice notice-<?php echo esc_attr( $hg_class ); ?> hookguard-test-result" data-result="<?php echo esc_attr( $view['test']['result'] ); ?>">
		<p><strong><?php echo esc_html( $view['test']['name'] ); ?>:</strong> <?php echo esc_html( $view['test']['message'] ); ?></p>
		<?php if ( ! $view['test']['ok'] && '' !== $view['test']['excerpt'] ) : ?>
			<p><code><?php echo esc_html( $view['test']['excerpt'] ); ?></code></p>
		<?php endif; ?>
	</div>
<?php endif; ?>

<h2><?php esc_html_e( 'Destinations', 'hookguard' ); ?></h2>
<table class="widefat striped hookguard-destinations">
	<thead><tr>
		<th><?php esc_html_e( 'Name', 'hookguard' ); ?></th><th><?php esc_html_e( 'URL', 'hookguard' ); ?></th><th><?php esc_html_e( 'Scheme', 'hookguard' ); ?></th>
		<th><?php esc_html_e( 'Secret', 'hookguard' ); ?></th><th><?php esc_html_e( 'Events', 'hookguard' ); ?></th><th><?php esc_html_e( 'Retries', 'hookguard' ); ?></th>
		<th><?php esc_html_e( 'Defined in', 'hookguard' ); ?></th><th></th>
	</tr></thead>
	<tbody>
	<?php if ( ! $view['destinations'] ) : ?>
		<tr><td colspan="8"><?php esc_html_e( 'No destinations yet. Add one below or register one in code with hookguard_register_destination().', 'hookguard' ); ?></td></tr>
	<?php endif; ?>
	<?php foreach ( $view['destinations'] as $hg_name => $hg_dest ) : ?>
		<tr class="hookguard-destination" data-destination="<?php echo esc_attr( $hg_name ); ?>">
			<td><strong><?php echo esc_html( $hg_name ); ?></strong><?php echo $hg_dest->enabled ? '' : ' <em>' . esc_html__( '(disabled)', 'hookguard' ) . '</em>'; ?></td>
			<td><code><?php echo esc_html( $hg_dest->url ); ?></code></td>
			<td><?php echo esc_html( $hg_dest->scheme ); ?></td>
			<td><?php echo esc_html( '' === $hg_dest->secret ? __( '(unreadable: enter it again)', 'hookguard' ) : Crypto::mask( $hg_dest->secret ) ); ?></td>
			<td><?php echo esc_html( implode( ', ', $hg_dest->events ) ); ?></td>
			<td><?php echo esc_html( sprintf( /* translators: 1: attempts, 2: seconds, 3: seconds */ __( '%1$d attempts, from %2$s s, timeout %3$s s', 'hookguard' ), $hg_dest->max_attempts, $hg_dest->backoff, $hg_dest->timeout ) ); ?></td>
			<td><?php echo esc_html( 'code' === $hg_dest->origin ? __( 'code', 'hookguard' ) : __( 'settings', 'hookguard' ) ); ?></td>
			<td>
				<?php $hg_post_form( 'hookguard_test_destination', 'hookguard_test_destination_' . $hg_name, __( 'Test connection', 'hookguard' ), array( 'name' => $hg_name ), 'button hookguard-test' ); ?>
				<?php if ( 'admin' === $hg_dest->origin ) : ?>
					<a class="button" href="<?php echo esc_url( admin_url( 'admin.php?page=hookguard-destinations&edit=' . rawurlencode( $hg_name ) ) ); ?>"><?php esc_html_e( 'Edit', 'hookguard' ); ?></a>
					<?php $hg_post_form( 'hookguard_delete_destination', 'hookguard_delete_destination_' . $hg_name, __( 'Delete', 'hookguard' ), array( 'name' => $hg_name ), 'button button-link-delete' ); ?>
				<?php endif; ?>
			</td>
		</tr>
	<?php endforeach; ?>
	</tbody>
</table>

<h2><?php echo esc_html( $hg_d ? __( 'Edit destination', 'hookguard' ) : __( 'Add a destination', 'hookguard' ) ); ?></h2>
<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" class="hookguard-destination-form" autocomplete="off">
	<?php wp_nonce_field( 'hookguard_save_destination' ); ?>
	<input type="hidden" name="action" value="hookguard_save_destination">
	<input type="hidden" name="editing" value="<?php echo $hg_d ? '1' : ''; ?>">
	<table class="form-table" role="presentation">
		<tr><th scope="row"><label for="hookguard-dest-name"><?php esc_html_e( 'Name', 'hookguard' ); ?></label></th>
			<td><input type="text" id="hookguard-dest-name" name="name" class="regular-text" value="<?php echo esc_attr( $hg_d ? $hg_d->name : '' ); ?>" <?php echo $hg_d ? 'readonly' : 'required'; ?>></td></tr>
		<tr><th scope="row"><label for="hookguard-dest-url"><?php esc_html_e( 'URL', 'hookguard' ); ?></label></th>
			<td><input type="url" id="hookguard-dest-url" name="url" class="large-text code" value="<?php echo esc_attr( $hg_d ? $hg_d->url : '' ); ?>" required>
			<p class="description"><?php esc_html_e( 'The full address events are POSTed to, e.g. https://crm.example/api/woo/order-completed. Redirects are not followed.', 'hookguard' ); ?></p></td></tr>
		<tr><th scope="row"><label for="hookguard-dest-scheme"><?php esc_html_e( 'Signature scheme', 'hookguard' ); ?></label></th>
			<td><select id="hookguard-dest-scheme" name="scheme">
			<?php foreach ( $view['schemes'] as $hg_scheme ) : ?>
				<option value="<?php echo esc_attr( $hg_scheme ); ?>" <?php selected( $hg_d ? $hg_d->scheme : 'wp-relay', $hg_scheme ); ?>><?php echo esc_html( $hg_scheme ); ?></option>
			<?php endforeach; ?>
			</select></td></tr>
		<tr><th scope="row"><label for="hookguard-dest-secret"><?php esc_html_e( 'Signing secret', 'hookguard' ); ?></label></th>
			<td><input type="password" id="hookguard-dest-secret" name="secret" class="regular-text" autocomplete="new-password" value="" <?php echo $hg_d ? '' : 'required'; ?>>
			<p class="description"><?php esc_html_e( 'Write-only: a saved secret is never shown again; leave empty to keep it. To rotate without a gap: first add the new secret to the receiver (it then accepts both), save it here, press Test connection, and only then remove the old secret from the receiver.', 'hookguard' ); ?></p></td></tr>
		<tr><th scope="row"><label for="hookguard-dest-events"><?php esc_html_e( 'Events', 'hookguard' ); ?></label></th>
			<td><input type="text" id="hookguard-dest-events" name="events" class="large-text" value="<?php echo esc_attr( $hg_d ? implode( ', ', $hg_d->events ) : '' ); ?>" required>
			<p class="description"><?php echo esc_html( __( 'Comma-separated; "woocommerce.*" and "*" allowed. Built in:', 'hookguard' ) . ' ' . implode( ', ', $view['events'] ) ); ?></p></td></tr>
		<tr><th scope="row"><?php esc_html_e( 'Attempts / first retry (s) / timeout (s)', 'hookguard' ); ?></th>
			<td><input type="number" name="max_attempts" min="1" max="100" style="width:6em" value="<?php echo esc_attr( (string) ( $hg_d ? $hg_d->max_attempts : HookGuard\Core\Retry_Policy::DEFAULT_ATTEMPTS ) ); ?>">
			<input type="number" name="backoff" min="0" step="any" style="width:6em" value="<?php echo esc_attr( (string) ( $hg_d ? $hg_d->backoff : HookGuard\Core\Retry_Policy::DEFAULT_BACKOFF ) ); ?>">
			<input type="number" name="timeout" min="0.1" max="120" step="any" style="width:6em" value="<?php echo esc_attr( (string) ( $hg_d ? $hg_d->timeout : HookGuard\Core\Destination::DEFAULT_TIMEOUT ) ); ?>">
			<p class="description"><?php esc_html_e( 'The delay doubles after each failed attempt up to 10 hours, ±10 % jitter, and is at least the receiver\'s Retry-After. The defaults span about 2.8 days.', 'hookguard' ); ?></p></td></tr>
		<tr><th scope="row"><?php esc_html_e( 'Enabled', 'hookguard' ); ?></th>
			<td><label><input type="checkbox" name="enabled" value="1" <?php checked( $hg_d ? $hg_d->enabled : true ); ?>> <?php esc_html_e( 'send new events to it', 'hookguard' ); ?></label></td></tr>
		<tr><th scope="row"><label for="hookguard-dest-label"><?php esc_html_e( 'Label', 'hookguard' ); ?></label></th>
			<td><input type="text" id="hookguard-dest-label" name="label" class="regular-text" value="<?php echo esc_attr( $hg_d ? $hg_d->label : '' ); ?>"></td></tr>
	</table>
	<?php submit_button( $hg_d ? __( 'Save destination', 'hookguard' ) : __( 'Add destination', 'hookguard' ), 'primary', 'submit', true, array( 'id' => 'hookguard-save-destination' ) ); ?>
</form>

<h2><?php esc_html_e( 'Outbox', 'hookguard' ); ?></h2>
<ul class="hookguard-outbox-counts">
<?php foreach ( $view['counts'] as $hg_status => $hg_n ) : ?>
	<li data-status="<?php echo esc_attr( $hg_status ); ?>"><?php echo esc_html( $hg_status ); ?>: <strong><?php echo esc_html( (string) $hg_n ); ?></strong></li>
<?php endforeach; ?>
</ul>
<?php if ( $view['counts']['failed'] ) : ?>
	<?php $hg_post_form( 'hookguard_replay_outbox', 'hookguard_replay_outbox', __( 'Replay all failed', 'hookguard' ), array(), 'button hookguard-replay-all' ); ?>
<?php endif; ?>
<h3><?php esc_html_e( 'Recent failures', 'hookguard' ); ?></h3>
<table class="widefat striped hookguard-outbox-failures">
	<thead><tr><th>#</th><th><?php esc_html_e( 'Event', 'hookguard' ); ?></th><th><?php esc_html_e( 'Destination', 'hookguard' ); ?></th><th><?php esc_html_e( 'Status', 'hookguard' ); ?></th><th><?php esc_html_e( 'Attempts', 'hookguard' ); ?></th><th><?php esc_html_e( 'HTTP', 'hookguard' ); ?></th><th><?php esc_html_e( 'Last error', 'hookguard' ); ?></th><th></th></tr></thead>
	<tbody>
	<?php if ( ! $view['failures'] ) : ?>
		<tr><td colspan="8"><?php esc_html_e( 'None.', 'hookguard' ); ?></td></tr>
	<?php endif; ?>
	<?php foreach ( $view['failures'] as $hg_row ) : ?>
		<tr class="hookguard-outbox-row" data-id="<?php echo esc_attr( $hg_row['id'] ); ?>" data-status="<?php echo esc_attr( $hg_row['status'] ); ?>">
			<td><?php echo esc_html( $hg_row['id'] ); ?></td>
			<td><?php echo esc_html( $hg_row['event'] ); ?><br><code><?php echo esc_html( $hg_row['event_id'] ); ?></code></td>
			<td><?php echo esc_html( $hg_row['destination'] ); ?></td>
			<td><?php echo esc_html( $hg_row['status'] ); ?></td>
			<td><?php echo esc_html( $hg_row['attempts'] ); ?></td>
			<td><?php echo esc_html( (string) $hg_row['last_status'] ); ?></td>
			<td><?php echo esc_html( HookGuard\Log::mask( (string) $hg_row['last_error'] ) ); ?></td>
			<td><?php if ( 'failed' === $hg_row['status'] ) { $hg_post_form( 'hookguard_replay_outbox', 'hookguard_replay_outbox', __( 'Replay', 'hookguard' ), array( 'id' => $hg_row['id'] ), 'button hookguard-replay' ); } ?></td>
		</tr>
	<?php endforeach; ?>
	</tbody>
</table>

<h2><?php esc_html_e( 'WooCommerce webhooks', 'hookguard' ); ?></h2>
<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" class="hookguard-sender-settings">
	<?php wp_nonce_field( 'hookguard_save_sender_settings' ); ?>
	<input type="hidden" name="action" value="hookguard_save_sender_settings">
	<p><label><input type="checkbox" name="sender[woocommerce_takeover]" value="1" <?php checked( $view['settings']['woocommerce_takeover'] ); ?>>
		<?php esc_html_e( 'Deliver WooCommerce\'s own webhooks through HookGuard\'s outbox: the same request WooCommerce sends (headers and signature), built when the event happens, retried until the receiver takes it; the webhook is never disabled for a receiver that is down.', 'hookguard' ); ?></label></p>
	<p><?php esc_html_e( 'Attempts', 'hookguard' ); ?> <input type="number" name="sender[takeover_attempts]" min="1" max="100" style="width:6em" value="<?php echo esc_attr( (string) $view['settings']['takeover_attempts'] ); ?>">
		<?php esc_html_e( 'first retry after (s)', 'hookguard' ); ?> <input type="number" name="sender[takeover_backoff]" min="0" style="width:6em" value="<?php echo esc_attr( (string) $view['settings']['takeover_backoff'] ); ?>"></p>
	<?php submit_button( __( 'Save', 'hookguard' ), 'secondary', 'submit', false ); ?>
</form>
</div>
