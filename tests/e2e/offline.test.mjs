// Offline: after one visit the service worker has the app shell, so a reload with the
// network off still runs the app, its workers, the stored datasets and studies: a backtest
// runs and a stored trial replays bit for bit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp, runStudy } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('after one visit the app, its workers and stored data work with the network off', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.getByTestId('load-demo').click();
  await page.getByTestId('dataset-row').first().waitFor();
  await runStudy(page, { name: 'offline study', trials: 6, base: 'sma_cross' });

  await env.context.setOffline(true);
  try {
    await page.reload();
    await page.getByTestId('worker-status').filter({ hasText: 'ready' }).waitFor();
    await page.getByTestId('nav-data').click();
    await page.getByTestId('dataset-row').first().waitFor();
    await page.getByTestId('dataset-row').first().getByRole('button', { name: 'demo-BTCUSD_1h.csv', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=price-chart]')?.width > 300);
    const versions = await page.evaluate(() => window.genesisTest.helloAll());
    assert.ok(versions.length >= 1, 'the workers load from the cache');

    await page.getByTestId('nav-backtest').click();
    await page.getByTestId('preset-select').selectOption('sma_cross');
    await page.getByTestId('config-status').filter({ hasText: 'valid sma_cross config' }).waitFor();
    await page.getByTestId('run-backtest').click();
    await page.getByTestId('metric-score').waitFor();
    assert.match((await page.getByTestId('metric-trades').textContent()).trim(), /^[1-9]\d*$/);

    await page.getByTestId('nav-studies').click();
    await page.getByTestId('study-row').getByRole('button', { name: 'offline study', exact: true }).click();
    await page.getByTestId('trial-replay').first().click();
    const verdict = page.getByTestId('replay-verdict');
    await verdict.waitFor();
    assert.match(await verdict.textContent(), /identical, bit for bit/);
  } finally {
    await env.context.setOffline(false);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});
