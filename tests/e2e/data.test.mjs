// The Data page: a trader's file goes in, is validated in a worker, stored, listed, charted;
// a bad file is refused with its line named and nothing stored is touched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { candleCsv, launch, openApp, uploadCsv } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

async function countInkPixels(page, testId) {
  return page.getByTestId(testId).evaluate((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      // The chart background is rgb(11, 18, 32); anything else was drawn.
      if (Math.abs(data[i] - 11) + Math.abs(data[i + 1] - 18) + Math.abs(data[i + 2] - 32) > 30) ink++;
    }
    return ink;
  });
}

test('an uploaded CSV is listed, survives a reload and is charted; a bad file is refused by line', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  const rows = page.getByTestId('dataset-row');

  await page.getByTestId('dataset-file-input').setInputFiles({
    name: 'tETHUSD_1h.csv', mimeType: 'text/csv', buffer: candleCsv(400),
  });
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  const row = await rows.first().textContent();
  assert.match(row, /tETHUSD_1h\.csv/);
  assert.match(row, /400/);
  assert.equal(await rows.first().locator('input.timeframe').inputValue(), '1h');
  // Bitfinex's 't' prefix is dropped from the guessed symbol (tETHUSD → ETHUSD).
  assert.equal(await rows.first().locator('input.symbol').inputValue(), 'ETHUSD');
  await page.getByTestId('parse-report').filter({ hasText: 'generic' }).waitFor();

  await page.reload();
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1, 'the dataset survives a reload');

  await rows.first().getByRole('button', { name: 'tETHUSD_1h.csv', exact: true }).click();
  const chart = page.getByTestId('price-chart');
  await chart.waitFor();
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid=price-chart]');
    return c && c.width > 300;
  });
  assert.ok(await countInkPixels(page, 'price-chart') > 2000, 'the chart has candles on it');

  const box = await chart.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
  await page.locator('.chart .readout').filter({ hasText: /O \d/ }).waitFor();

  await page.getByTestId('dataset-file-input').setInputFiles({
    name: 'broken.csv', mimeType: 'text/csv', buffer: candleCsv(50, { brokenLine: 7 }),
  });
  const error = page.getByTestId('dataset-error');
  await error.waitFor();
  const message = await error.textContent();
  assert.match(message, /broken\.csv/);
  assert.match(message, /line 7/);
  assert.match(message, /high/);
  assert.equal(await rows.count(), 1, 'the rejected file stored nothing');
  assert.match(await rows.first().textContent(), /tETHUSD_1h\.csv/);
  await page.close();
});

test('the demo data loads in one click, overlays draw, and delete removes a dataset', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  const rows = page.getByTestId('dataset-row');
  await page.waitForFunction(() => document.querySelector('[data-testid=load-demo]'));
  const before = await rows.count();
  await page.getByTestId('load-demo').click();
  await rows.nth(before).waitFor();
  assert.match(await rows.nth(before).textContent(), /demo-BTCUSD_1h\.csv.*17278/s);

  await page.waitForFunction(() => document.querySelector('[data-testid=price-chart]')?.width > 300);
  const plain = await countInkPixels(page, 'price-chart');
  await page.getByLabel('EMA 20/50').check();
  await page.getByLabel('Fibonacci levels').check();
  await page.waitForFunction(() => !document.body.textContent.includes('computing features'));
  await page.waitForTimeout(200);
  assert.ok(await countInkPixels(page, 'price-chart') > plain, 'overlays add ink');

  page.once('dialog', (dialog) => dialog.accept());
  await rows.nth(before).getByRole('button', { name: /Delete/ }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=dataset-row]').length === n, before);
  await page.reload();
  await page.getByTestId('worker-status').filter({ hasText: 'ready' }).waitFor();
  await page.waitForTimeout(300);
  assert.equal(await rows.count(), before, 'the deletion is stored');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a parse in progress can be cancelled: nothing is stored and the workers carry on', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  const before = await page.getByTestId('dataset-row').count();
  const workers = (await page.evaluate(() => window.genesisTest.helloAll())).length;
  // A million bars keep a worker busy for about a second, ample time to press Cancel.
  // Playwright takes files this large from disk only.
  const dir = await mkdtemp(join(tmpdir(), 'genesis-cancel-'));
  const file = join(dir, 'CANCELLED_1h.csv');
  await writeFile(file, candleCsv(1_000_000, { start: Date.UTC(1990, 0, 1) }));
  await page.getByTestId('dataset-file-input').setInputFiles(file);
  await page.getByTestId('dataset-progress-cancel').click();
  await page.getByTestId('notice').filter({ hasText: 'Parsing CANCELLED_1h.csv was cancelled; nothing was stored.' }).waitFor();
  await page.getByTestId('dataset-progress').waitFor({ state: 'detached' });

  // The cancelled worker was replaced: every worker answers, and the next file goes in.
  assert.equal((await page.evaluate(() => window.genesisTest.helloAll())).length, workers);
  await uploadCsv(page, 'AFTER_1h.csv', candleCsv(300, { start: Date.UTC(2021, 0, 1) }));
  await page.reload();
  await page.getByTestId('dataset-row').filter({ hasText: 'AFTER_1h.csv' }).waitFor();
  assert.equal(await page.getByTestId('dataset-row').count(), before + 1, 'the cancelled file was not stored');
  assert.equal(await page.getByTestId('dataset-row').filter({ hasText: 'CANCELLED' }).count(), 0);
  assert.deepEqual(page.errors, []);
  await rm(dir, { recursive: true, force: true });
  await page.close();
});

test('a refused file lists its problems as rows with their line and column; nothing is stored', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  const rows = page.getByTestId('dataset-row');
  const before = await rows.count();
  const lines = candleCsv(12).toString().trimEnd().split('\n');
  // Line 4: a high below the candle's body (column 3); line 9: a close that is not a number.
  const four = lines[3].split(',');
  four[2] = '1.00';
  lines[3] = four.join(',');
  const nine = lines[8].split(',');
  nine[4] = 'n/a';
  lines[8] = nine.join(',');
  await page.getByTestId('dataset-file-input').setInputFiles({
    name: 'two_problems.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n'),
  });
  const panel = page.getByTestId('rejected-file');
  await panel.waitFor();
  assert.match(await panel.textContent(), /two_problems\.csv was refused: 2 problem/);
  const problems = page.getByTestId('problem-row');
  assert.equal(await problems.count(), 2);
  const cells = async (i) => (await problems.nth(i).locator('td').allTextContents()).map((t) => t.trim());
  const first = await cells(0);
  assert.deepEqual(first.slice(0, 3), ['4', '3', 'high']);
  const second = await cells(1);
  assert.deepEqual(second.slice(0, 3), ['9', '5', 'close']);
  assert.equal(second[4], 'n/a');
  assert.equal(await rows.count(), before, 'the refused file stored nothing');
  await page.close();
});

test('a pandas to_csv file and a JSON wrapper load by content, and the report says what was decided', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  const golden = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'data', 'ok');
  const rows = page.getByTestId('dataset-row');
  const report = page.getByTestId('parse-report');
  const before = await rows.count();

  await page.getByTestId('dataset-file-input').setInputFiles(join(golden, 'pandas_daily.csv'));
  await rows.nth(before).waitFor();
  await report.filter({ hasText: 'pandas_daily.csv: pandas' }).waitFor();
  let text = await report.textContent();
  assert.match(text, /6 bars, timeframe 1d/);
  assert.match(text, /time ← \(unnamed index\)/);
  assert.match(text, /a pandas index/);

  await page.getByTestId('dataset-file-input').setInputFiles(join(golden, 'polygon.json'));
  await rows.nth(before + 1).waitFor();
  await report.filter({ hasText: 'polygon.json: polygon' }).waitFor();
  text = await report.textContent();
  assert.match(text, /4 bars/);
  assert.match(text, /close ← c/);
  assert.match(text, /the array at `results`/);
  assert.match(await rows.nth(before + 1).textContent(), /polygon\.json/);

  // Dates nothing settles follow the publisher's custom unless the user chooses.
  await page.getByTestId('date-order-select').selectOption('mdy');
  await page.getByTestId('dataset-file-input').setInputFiles(join(golden, 'dukascopy_undecided.csv'));
  await rows.nth(before + 2).waitFor();
  await report.filter({ hasText: 'dukascopy_undecided.csv' }).waitFor();
  assert.match(await page.getByTestId('parse-report-columns').textContent(), /dates month first/);
  assert.deepEqual(page.errors, []);
  await page.close();
});
