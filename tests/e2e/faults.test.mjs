// Faults: a full storage quota and corrupt records are reported clearly, and everything
// stored before stays readable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { candleCsv, launch, openApp, runStudy, uploadCsv } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('a full storage quota is a clear error, and the stored datasets and studies stay readable', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  // A small quota for this origin: the app shell's cache and a little data fit, a large
  // dataset does not.
  const cdp = await env.context.newCDPSession(page);
  const origin = new URL(env.url).origin;
  await page.evaluate(() => navigator.serviceWorker.ready);
  const { usage } = await cdp.send('Storage.getUsageAndQuota', { origin });
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: Math.ceil(usage) + 2_000_000 });
  await uploadCsv(page, 'KEEP_1h.csv', candleCsv(500));
  await runStudy(page, { name: 'kept study', trials: 10, base: 'sma_cross' });

  await page.getByTestId('nav-data').click();
  await page.getByTestId('dataset-file-input').setInputFiles({ name: 'BIG_1h.csv', mimeType: 'text/csv', buffer: candleCsv(100_000, { start: Date.UTC(2010, 0, 1) }) });
  await page.getByTestId('error-banner').filter({ hasText: /storage quota is full while writing to (datasets|dataset_columns).*MB of its/s }).waitFor();
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });

  await page.reload();
  await page.getByTestId('dataset-row').filter({ hasText: 'KEEP_1h.csv' }).waitFor();
  assert.equal(await page.getByTestId('dataset-row').filter({ hasText: 'BIG_1h.csv' }).count(), 0, 'nothing half-stored');
  await page.getByTestId('nav-studies').click();
  const row = page.getByTestId('study-row').filter({ hasText: 'kept study' });
  assert.equal((await row.getByTestId('study-row-trials').textContent()).trim(), '10');
  await row.getByRole('button', { name: 'kept study', exact: true }).click();
  await page.getByTestId('study-best-score').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('corrupt records are reported and skipped, never fatal', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  if (await page.getByTestId('dataset-row').count() === 0) await uploadCsv(page, 'KEEP_1h.csv', candleCsv(500));
  const before = await page.getByTestId('dataset-row').count();
  await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('genesis-lab');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction(['datasets', 'studies'], 'readwrite');
      tx.objectStore('datasets').put({ id: 'corrupt-dataset', meta: 'not a dataset' });
      tx.objectStore('studies').put({ id: 'corrupt-study', header: '{not json' });
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }));
  await page.reload();
  await page.getByTestId('error-banner').filter({ hasText: 'a record in store datasets is corrupt and was skipped' }).waitFor();
  await page.getByTestId('error-banner').filter({ hasText: 'a record in store studies is corrupt and was skipped' }).waitFor();
  assert.equal(await page.getByTestId('dataset-row').count(), before, 'the good datasets are all listed');
  await page.getByTestId('nav-studies').click();
  assert.ok(await page.getByTestId('study-row').count() >= 1, 'the good studies are listed');
  assert.deepEqual(page.errors, []);
  await page.close();
});
