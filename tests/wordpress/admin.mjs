// The HookGuard admin pages in headless Chromium, against the WordPress that
// tests/wordpress/run started: log in, add a source (secret write-only and
// masked), prove a delivery signed with it is accepted at once, see the queue
// monitor's counts match the database, retry a failed delivery, and check
// that actions without a nonce are refused.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import assert from 'node:assert/strict';
import { adminSession } from '../support/browser.mjs';

const base = process.env.HG_WP_URL;
const wpDir = process.env.HG_WP_DIR;
const secret = 'ui-secret-' + Date.now() + '-0123456789abcdef';
const name = 'ui-shop-' + Date.now().toString(36);

function cli(command) {
  const php = process.env.HG_EXTENSION ? ['-d', `extension=${process.env.HG_EXTENSION}`] : [];
  const out = execFileSync('php', [...php, `${wpDir}/wp-content/plugins/hookguard/cli.php`, command, `--path=${wpDir}`]);
  return JSON.parse(out.toString());
}

async function post(source, body, headers) {
  const r = await fetch(`${base}/wp-json/hookguard/v1/receive/${source}`, { method: 'POST', body, headers });
  return { status: r.status, json: await r.json() };
}

function wooHeaders(body, key) {
  return {
    'Content-Type': 'application/json',
    'X-WC-Webhook-Topic': 'order.created',
    'X-WC-Webhook-ID': '31',
    'X-WC-Webhook-Delivery-ID': 'd'.repeat(32),
    'X-WC-Webhook-Signature': createHmac('sha256', key).update(body).digest('base64'),
  };
}

const { context, page, close } = await adminSession(base);
let step = 'start';
try {

  step = 'add a source';
  await page.goto(`${base}/wp-admin/admin.php?page=hookguard`);
  await page.fill('#hookguard-name', name);
  await page.selectOption('#hookguard-scheme', 'woocommerce');
  await page.fill('#hookguard-new_secret', secret);
  await page.fill('#hookguard-topics', 'order.*');
  await Promise.all([page.waitForURL(/page=hookguard/), page.click('#hookguard-save-source')]);
  assert.match(await page.textContent('.hookguard-notice'), new RegExp(`Source "${name}" saved`));
  const row = page.locator(`tr.hookguard-source[data-source="${name}"]`);
  assert.match(await row.locator('.hookguard-secrets').textContent(), /^••••••••cdef \(\d+ characters\)$/);
  assert.ok(!(await page.content()).includes(secret), 'the secret is never shown again');

  step = 'edit: rotate in a second secret';
  await row.getByRole('link', { name: 'Edit' }).click();
  assert.equal(await page.inputValue('#hookguard-new_secret'), '', 'write-only');
  await page.fill('#hookguard-new_secret', secret + '-next');
  await Promise.all([page.waitForURL(/page=hookguard/), page.click('#hookguard-save-source')]);
  assert.equal((await page.locator(`tr[data-source="${name}"] .hookguard-secrets`).innerHTML()).split('<br>').length, 2);
  assert.ok(!(await page.content()).includes(secret));

  step = 'adding an existing name is refused';
  await page.fill('#hookguard-name', name);
  await page.fill('#hookguard-new_secret', 'another');
  await Promise.all([page.waitForURL(/page=hookguard/), page.click('#hookguard-save-source')]);
  assert.match(await page.textContent('.hookguard-notice'), /already exists/);

  step = 'invalid input is refused with a reason';
  await page.fill('#hookguard-name', 'ui-bad');
  await page.selectOption('#hookguard-scheme', 'hmac');
  await page.fill('#hookguard-new_secret', 'x');
  await Promise.all([page.waitForURL(/page=hookguard/), page.click('#hookguard-save-source')]);
  assert.match(await page.textContent('.hookguard-notice'), /Not saved: .*"header" is required/);
  assert.equal(await page.locator('tr[data-source="ui-bad"]').count(), 0);

  step = 'the saved source receives at once';
  const body = JSON.stringify({ id: 9001, status: 'processing', date_modified_gmt: '2024-06-01T00:00:00' });
  const accepted = await post(name, body, wooHeaders(body, secret + '-next'));
  assert.equal(accepted.status, 202, JSON.stringify(accepted.json));
  assert.equal((await post(name, body, wooHeaders(body, 'forged'))).status, 401);

  step = 'a failed delivery';
  const failing = JSON.stringify({ why: 'nothing handles this source', run: name });
  const queued = await post('unhandled', failing, { 'Content-Type': 'application/json', 'X-Sig': createHmac('sha256', 'hmac-secret-for-tests').update(failing).digest('hex') });
  assert.equal(queued.status, 202);
  cli('drain');

  step = 'the monitor shows the counts';
  const expected = cli('status');
  assert.ok(expected.failed >= 1 && expected.pending >= 1, JSON.stringify(expected));
  await page.goto(`${base}/wp-admin/admin.php?page=hookguard-queue`);
  for (const status of ['pending', 'processing', 'completed', 'failed']) {
    const shown = (await page.textContent(`.hookguard-count[data-status="${status}"]`)).replace(/\D/g, '');
    assert.equal(Number(shown), expected[status], status);
  }
  const failure = page.locator(`table.hookguard-failures tr[data-id="${queued.json.id}"]`);
  assert.match(await failure.locator('.hookguard-error').textContent(), /hookguard_process_unhandled/);

  step = 'retry from the monitor';
  await Promise.all([page.waitForURL(/hookguard-queue/), failure.getByRole('button', { name: 'Retry' }).click()]);
  assert.match(await page.textContent('.hookguard-notice'), /1 failed delivery queued again/);
  assert.equal(Number(await page.textContent('.hookguard-count[data-status="failed"]')), expected.failed - 1);
  assert.equal(Number(await page.textContent('.hookguard-count[data-status="pending"]')), expected.pending + 1);

  step = 'actions need a nonce';
  cli('drain'); // the retried delivery fails again (it has one attempt)
  const before = cli('status');
  assert.ok(before.failed >= 1, JSON.stringify(before));
  const refused = await page.evaluate(async (url) => {
    const r = await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'hookguard_purge', status: 'failed', days: '0' }) });
    return r.status;
  }, `${base}/wp-admin/admin-post.php`);
  assert.equal(refused, 403);
  assert.deepEqual(cli('status'), before, 'nothing purged without a nonce');

  step = 'purge from the monitor';
  await page.goto(`${base}/wp-admin/admin.php?page=hookguard-queue`);
  const purgeFailed = page.locator('form', { has: page.locator('input[name="status"][value="failed"]') });
  await purgeFailed.locator('input[name="days"]').fill('0');
  await Promise.all([page.waitForURL(/hookguard-queue/), purgeFailed.getByRole('button', { name: 'Delete failed' }).click()]);
  assert.match(await page.textContent('.hookguard-notice'), new RegExp(`${before.failed} failed deliver(y|ies) deleted`));
  assert.equal(Number(await page.textContent('.hookguard-count[data-status="failed"]')), 0);
  assert.equal(cli('status').failed, 0);

  step = 'site health';
  await page.goto(`${base}/wp-admin/site-health.php`);
  // WordPress renders the results only after its own slow async tests; ours is a direct one, in the page's data.
  const health = await page.evaluate(() => window.SiteHealth.site_status.direct.find((t) => t.test === 'hookguard_extension'));
  // Native: "The HookGuard PHP extension is loaded"; without it: "HookGuard runs its PHP implementation".
  const healthLabel = process.env.HG_EXTENSION ? /The HookGuard PHP extension is loaded/ : /HookGuard runs its PHP implementation/;
  assert.ok(health && healthLabel.test(health.label), JSON.stringify(health));

  step = 'logged out: no access';
  await context.clearCookies();
  await page.goto(`${base}/wp-admin/admin.php?page=hookguard-queue`);
  assert.match(page.url(), /wp-login\.php/);
  console.log('admin.mjs: admin pages OK (sources, write-only secrets, monitor counts, retry, purge, nonces)');
} catch (e) {
  console.error(`admin.mjs: failed at "${step}"`);
  throw e;
} finally {
  await close();
}
