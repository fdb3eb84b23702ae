// The Destinations page in headless Chromium, against the site tests/sender/run
// started: log in, add a destination (secret write-only, never shown), Test
// connection green against HookGuard's own receiver and red with a wrong
// secret, then Replay a failed event from the outbox monitor and see it
// delivered; a Replay without a nonce changes nothing.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { adminSession } from '../support/browser.mjs';

// playwright-core is installed (pinned) by tests/wordpress's package-lock.json.

const base = process.env.HG_WP_URL;
const fault = process.env.HG_FAULT_URL;
const relaySecret = 'relay-secret-0123456789abcdef';
const stamp = Date.now().toString(36);

// PHP run inside the site (WordPress fully loaded); prints JSON.
function wp(code) {
  const boot = '$_SERVER["HTTP_HOST"] = parse_url(getenv("HG_WP_URL"), PHP_URL_HOST); require getenv("HG_WP_DIR") . "/wp-load.php";';
  const out = execFileSync('php', ['-d', `extension=${process.env.HG_EXTENSION}`, '-r', boot + code]);
  return JSON.parse(out.toString());
}

async function script(path, steps) {
  await fetch(`${fault}/_script`, { method: 'POST', body: JSON.stringify({ path, scheme: 'wp-relay', secret: relaySecret, steps }) });
}

const { context, page, close } = await adminSession(base);
let step = 'start';
try {
  const destinations = `${base}/wp-admin/admin.php?page=hookguard-destinations`;

  async function addDestination(name, url, secret, events) {
    await page.goto(destinations);
    await page.fill('#hookguard-dest-name', name);
    await page.fill('#hookguard-dest-url', url);
    await page.selectOption('#hookguard-dest-scheme', 'wp-relay');
    await page.fill('#hookguard-dest-secret', secret);
    await page.fill('#hookguard-dest-events', events);
    await page.fill('input[name=backoff]', '1');
    await Promise.all([page.waitForURL(/page=hookguard-destinations/), page.click('#hookguard-save-destination')]);
    assert.match(await page.textContent('.hookguard-notice'), new RegExp(`Destination "${name}" saved`));
  }

  async function testConnection(name) {
    await Promise.all([page.waitForURL(/page=hookguard-destinations/), page.click(`tr[data-destination="${name}"] button.hookguard-test`)]);
    const notice = page.locator('.hookguard-test-result');
    return { result: await notice.getAttribute('data-result'), classes: await notice.getAttribute('class'), text: await notice.textContent() };
  }

  step = 'add a destination: HookGuard\'s own receiver';
  const peer = `ui-peer-${stamp}`;
  await addDestination(peer, `${base}/wp-json/hookguard/v1/receive/relay-in`, relaySecret, 'ui.*');
  const html = await page.content();
  assert.ok(!html.includes(relaySecret), 'the secret is never shown again');
  assert.match(await page.textContent(`tr[data-destination="${peer}"]`), /••••••••cdef \(29 characters\)/);
  const stored = wp(`echo json_encode(get_option("hookguard_destinations")["${peer}"]["secret"]);`);
  assert.match(stored, /^hg1:/, 'sealed at rest');

  step = 'Test connection: green';
  let result = await testConnection(peer);
  assert.equal(result.result, 'verified', result.text);
  assert.match(result.classes, /notice-success/);
  assert.match(result.text, /Secret verified/);

  step = 'Test connection: red with a wrong secret';
  const wrong = `ui-wrong-${stamp}`;
  await addDestination(wrong, `${base}/wp-json/hookguard/v1/receive/relay-in`, 'not-the-right-secret-at-all', 'ui.*');
  result = await testConnection(wrong);
  assert.equal(result.result, 'secret_mismatch', result.text);
  assert.match(result.classes, /notice-error/);
  assert.match(result.text, /secrets differ/);

  step = 'Replay a failed event';
  const strict = `ui-strict-${stamp}`;
  await script(`/${strict}`, [{ status: 422, body: '{"error":"not yet"}' }]);
  await addDestination(strict, `${fault}/${strict}`, relaySecret, 'uireplay.*');
  const eventId = wp(`$id = hookguard_emit("uireplay.thing", array("n" => 1)); HookGuard\\Outbox::drain(array("idle_wait" => 0)); echo json_encode($id);`);
  await page.goto(destinations);
  const row = page.locator('tr.hookguard-outbox-row[data-status="failed"]', { hasText: eventId });
  assert.match(await row.textContent(), /422/);
  assert.match(await row.textContent(), /not yet/);

  step = 'Replay without a nonce changes nothing';
  const id = await row.getAttribute('data-id');
  const forged = await page.request.post(`${base}/wp-admin/admin-post.php`, { form: { action: 'hookguard_replay_outbox', id } });
  assert.notEqual(forged.status(), 302);
  assert.equal(wp(`echo json_encode(HookGuard\\Outbox::store()->get(${id})["status"]);`), 'failed');

  step = 'Replay';
  await Promise.all([page.waitForURL(/page=hookguard-destinations/), row.locator('button.hookguard-replay').click()]);
  assert.match(await page.textContent('.hookguard-notice'), /1 event queued to be sent again/);
  wp('HookGuard\\Outbox::drain(array("idle_wait" => 0)); echo "null";');
  assert.equal(wp(`echo json_encode(HookGuard\\Outbox::store()->get(${id})["status"]);`), 'delivered');
  await page.goto(destinations);
  assert.equal(await page.locator(`tr.hookguard-outbox-row[data-id="${id}"]`).count(), 0, 'gone from the failures');

  console.log('tests/sender/admin.mjs: add destination, Test connection green and red, Replay: ok');
} catch (error) {
  console.error(`tests/sender/admin.mjs failed at "${step}":`, error);
  process.exitCode = 1;
} finally {
  await close();
}
