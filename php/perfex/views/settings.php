<?php
/**
 * Setup → HookGuard: sources, the worker URL, the queue.
 *
 * @package HookGuard
 * @var array $sources @var string[] $schemes @var array $counts @var object[] $recent @var object[] $failures
 * @var string $worker_url @var string $receive
 */

defined( 'BASEPATH' ) || exit( 'No direct script access allowed' );
init_head();
$e = static function ( mixed $text ): string {
	return html_escape( (string) $text );
};
?>
<div id="wrapper"><div class="content">
<h4>HookGuard</h4>

<h5>Sources</h5>
<table class="table hookguard-sources">
	<tr><th>Name</th><th>Scheme</th><th>Receive URL</th><th>Secrets</th><th></th></tr>
	<?php foreach ( $sources as $name => $source ) : ?>
	<tr>
		<td><?php echo $e( $name ); ?></td>
		<td><?php echo $e( $source->scheme ); ?></td>
		<td><code><?php echo $e( $receive . '/' . $name ); ?></code></td>
		<td><?php echo count( $source->secrets ); ?> set (never shown)</td>
		<td>
			<?php echo form_open( admin_url( 'hookguard/delete_source' ) ); ?>
			<input type="hidden" name="name" value="<?php echo $e( $name ); ?>">
			<button class="btn btn-danger btn-xs">Delete</button>
			<?php echo form_close(); ?>
		</td>
	</tr>
	<?php endforeach; ?>
</table>

<?php echo form_open( admin_url( 'hookguard/save_source' ), array( 'class' => 'hookguard-source-form' ) ); ?>
	<label>Name <input name="name" required pattern="[a-z0-9][a-z0-9_-]{0,63}"></label>
	<label>Scheme <select name="scheme">
		<?php foreach ( $schemes as $scheme ) : ?>
		<option value="<?php echo $e( $scheme ); ?>"<?php echo 'woocommerce' === $scheme ? ' selected' : ''; ?>><?php echo $e( $scheme ); ?></option>
		<?php endforeach; ?>
	</select></label>
	<label>Secret <input name="secret" type="password" autocomplete="new-password" placeholder="leave empty to keep the stored one"></label>
	<label>Topics <input name="topics" placeholder="order.created, order.updated (empty: all)"></label>
	<button class="btn btn-primary">Save source</button>
<?php echo form_close(); ?>

<h5>Worker</h5>
<p>Perfex's cron runs the worker (every 300 s by default). For faster processing, call
<code><?php echo $e( $worker_url ); ?></code> from a system cron, or run <code>php index.php hookguard worker run</code>.</p>

<h5>Queue</h5>
<p class="hookguard-counts"><?php foreach ( $counts as $status => $n ) : ?><?php echo $e( $status ); ?>: <strong><?php echo (int) $n; ?></strong> &nbsp; <?php endforeach; ?></p>
<?php echo form_open( admin_url( 'hookguard/retry' ) ); ?><button class="btn btn-default">Retry every failed delivery</button><?php echo form_close(); ?>
<table class="table hookguard-queue">
	<tr><th>#</th><th>Source</th><th>Topic</th><th>Status</th><th>Attempts</th><th>Received (UTC)</th><th>Next attempt</th><th>Last error</th></tr>
	<?php foreach ( $recent as $row ) : ?>
	<tr>
		<td><?php echo (int) $row->id; ?></td>
		<td><?php echo $e( $row->source ); ?></td>
		<td><?php echo $e( $row->topic ); ?></td>
		<td><?php echo $e( $row->status ); ?></td>
		<td><?php echo (int) $row->attempts; ?></td>
		<td><?php echo $e( $row->received_at ); ?></td>
		<td><?php echo 'pending' === $row->status ? $e( $row->next_attempt_at ) : ''; ?></td>
		<td><?php echo $e( $row->last_error ); ?></td>
	</tr>
	<?php endforeach; ?>
</table>
</div></div>
<?php init_tail(); ?>
