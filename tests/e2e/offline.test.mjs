// Offline: after one visit the service worker has the app shell, so a reload with the
// network off still runs the app, its workers and the stored datasets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('after one visit the app, its workers and stored data work with the network off', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.getByTestId('load-demo').click();
  await page.getByTestId('dataset-row').first().waitFor();

  await env.context.setOffline(true);
  try {
    await page.reload();
    await page.getByTestId('worker-status').filter({ hasText: 'ready' }).waitFor();
    await page.getByTestId('dataset-row').first().waitFor();
    await page.getByTestId('dataset-row').first().getByRole('button', { name: 'demo-BTCUSD_1h.csv', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=price-chart]')?.width > 300);
    const versions = await page.evaluate(() => window.genesisTest.helloAll());
    assert.ok(versions.length >= 1, 'the workers load from the cache');
  } finally {
    await env.context.setOffline(false);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});
