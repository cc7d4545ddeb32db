// The app shell: it loads cleanly, navigates, talks to its workers, survives a worker crash,
// and shows errors in the banner as text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('the page loads with no console errors and navigation reaches every page', async () => {
  const page = await env.newPage();
  await openApp(page, env.url);
  for (const [id, heading] of [['nav-backtest', 'Backtest'], ['nav-optimize', 'Optimize'],
    ['nav-studies', 'Studies'], ['nav-data', 'Data']]) {
    await page.getByTestId(id).click();
    await page.locator('h1').filter({ hasText: heading }).waitFor();
    assert.equal(await page.getByTestId(id).getAttribute('aria-current'), 'page');
  }
  assert.ok(page.url().endsWith('#/data'), page.url());
  await page.reload();
  await page.getByTestId('worker-status').filter({ hasText: 'ready' }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('every worker answers a versioned hello with the engine version', async () => {
  const page = await env.newPage();
  await openApp(page, env.url);
  const versions = await page.evaluate(() => window.genesisTest.helloAll());
  assert.ok(versions.length >= 1);
  for (const v of versions) assert.match(v, /^\d+\.\d+\.\d+/);
  const status = await page.getByTestId('worker-status').textContent();
  assert.ok(status.includes(`engine ${versions[0]}`), status);
  await page.close();
});

test('a worker that panics fails its job and is replaced', async () => {
  const page = await env.newPage();
  await openApp(page, env.url);
  const message = await page.evaluate(() => window.genesisTest.crashWorker());
  assert.match(message, /crash requested/);
  const versions = await page.evaluate(() => window.genesisTest.helloAll());
  assert.ok(versions.length >= 1, 'the pool answers again after the crash');
  await page.close();
});

test('the site also works served from the root of a host', async () => {
  const root = await launch({ base: '/' });
  try {
    const page = await root.newPage();
    await openApp(page, root.url);
    const versions = await page.evaluate(() => window.genesisTest.helloAll());
    assert.ok(versions.length >= 1);
    assert.deepEqual(page.errors, []);
  } finally {
    await root.close();
  }
});

test('the error banner shows messages as text, never as HTML', async () => {
  const page = await env.newPage();
  await openApp(page, env.url);
  const banner = page.getByTestId('error-banner');
  assert.equal(await banner.isHidden(), true);
  await page.evaluate(() => window.genesisTest.raiseError('bad <img src=x onerror=alert(1)> file'));
  await banner.waitFor();
  assert.match(await banner.textContent(), /bad <img src=x onerror=alert\(1\)> file/);
  assert.equal(await banner.locator('img').count(), 0);
  await page.close();
});
