// Headless Chromium for the admin-page tests (tests/*/admin.mjs): Debian's
// chromium driven by playwright-core (pinned by tests/wordpress's lock file),
// with the flags it needs as root on a machine without a network, a fresh
// profile, and a logged-in WordPress admin session.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(new URL('../wordpress/package.json', import.meta.url));
const { chromium } = require('playwright-core');

/** Opens Chromium and logs in to the WordPress at `base`; call close() when done. */
export async function adminSession(base) {
  const profile = mkdtempSync(join(tmpdir(), 'hookguard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.HG_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(20000);
    await page.goto(`${base}/wp-login.php`);
    await page.fill('#user_login', process.env.HG_WP_ADMIN_USER);
    await page.fill('#user_pass', process.env.HG_WP_ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(/wp-admin/), page.click('#wp-submit')]);
    return { context, page, close };
  } catch (e) {
    await close();
    throw new Error(`log in: ${e.message}`);
  }
}
