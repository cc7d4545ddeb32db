// The Backtest page: the demo backtest runs in a worker and its metric cards show the same
// numbers as the native engine's golden file; the config editor names bad keys; the trades
// table sorts and exports.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, openApp } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

/** The golden metrics of a preset on the demo data, decoded from their stored f64 bits. */
async function golden(preset) {
  const file = new URL(`../golden/backtest/demo_${preset}.json`, import.meta.url);
  const { bits } = JSON.parse(await readFile(file, 'utf8'));
  const value = (name) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, BigInt(bits[name]));
    return view.getFloat64(0);
  };
  return {
    totalReturn: value('metrics.total_return'),
    sharpe: value('metrics.sharpe'),
    maxDrawdown: value('metrics.max_drawdown'),
    score: value('score.score'),
  };
}

async function loadDemo(page) {
  await openApp(page, env.url, '#/data');
  await page.getByTestId('load-demo').click();
  await page.getByTestId('dataset-row').first().waitFor();
}

test('the demo backtest on the page shows the native engine\'s metrics', async () => {
  const page = await env.newPage();
  await loadDemo(page);
  await page.getByTestId('nav-backtest').click();
  await page.getByTestId('preset-select').selectOption('genesis');
  await page.getByTestId('config-status').filter({ hasText: 'valid genesis config' }).waitFor();
  await page.getByTestId('run-backtest').click();
  await page.getByTestId('metric-score').waitFor();

  const expected = await golden('genesis');
  const text = async (id) => (await page.getByTestId(id).textContent()).trim();
  assert.equal(await text('metric-total-return'), `${(expected.totalReturn * 100).toFixed(2)}%`);
  assert.equal(await text('metric-sharpe'), expected.sharpe.toFixed(3));
  assert.equal(await text('metric-max-drawdown'), `${(expected.maxDrawdown * 100).toFixed(2)}%`);
  assert.equal(await text('metric-score'), expected.score.toFixed(4));
  const nTrades = Number(await text('metric-trades'));
  assert.ok(nTrades > 10, `${nTrades} trades`);

  // TradingView's summary: All / Long / Short, the sides adding up to all trades.
  const summary = page.getByTestId('performance-summary');
  assert.deepEqual(
    (await summary.locator('thead th').allTextContents()).map((t) => t.trim()),
    ['', 'All', 'Long', 'Short'],
  );
  const tradesRow = (await summary.locator('tbody tr').filter({ hasText: /^Trades/ }).locator('td').allTextContents()).map(Number);
  assert.equal(tradesRow[0], nTrades);
  assert.equal(tradesRow[1] + tradesRow[2], nTrades);
  assert.match(await page.getByTestId('annualisation').textContent(), /periods a year/);

  const rows = page.getByTestId('trades-table').locator('tbody tr');
  assert.equal(await rows.count(), Math.min(nTrades, 500));
  const headers = await page.getByTestId('trades-table').locator('thead th').allTextContents();
  assert.ok(headers.some((h) => h.includes('Run-up')) && headers.some((h) => h.includes('Drawdown')), headers.join('|'));
  await page.getByTestId('trades-table').getByRole('button', { name: /P&L/ }).click();
  const pnl = async (i) => Number((await rows.nth(i).locator('td').nth(7).textContent()).trim());
  assert.ok(await pnl(0) <= await pnl(1), 'sorted by P&L ascending');

  const download = page.waitForEvent('download');
  await page.getByTestId('export-trades-csv').click();
  const csv = await readFile(await (await download).path(), 'utf8');
  assert.equal(csv.trim().split('\n').length, nTrades + 1, 'a header and one line per trade');

  for (const id of ['equity-chart', 'price-chart']) {
    const ink = await page.getByTestId(id).evaluate((c) => {
      const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 120) n++;
      return n;
    });
    assert.ok(ink > 1000, `${id} has a drawing (${ink} bright pixels)`);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the editor names a mistyped key with its nearest known key, and the form writes into the YAML', async () => {
  const page = await env.newPage();
  await loadDemo(page);
  await page.getByTestId('nav-backtest').click();
  await page.getByTestId('preset-select').selectOption('genesis');
  const yaml = page.getByTestId('config-yaml');
  const status = page.getByTestId('config-status');
  await status.filter({ hasText: 'valid genesis config' }).waitFor();

  const text = await yaml.inputValue();
  await yaml.fill(text.replace('entry_conf_overall: 0.35', 'entry_conf_overal: 0.35'));
  await status.filter({ hasText: 'entry_conf_overal' }).waitFor();
  assert.match(await status.textContent(), /thresholds\.entry_conf_overal.*did you mean entry_conf_overall/);
  assert.equal(await page.getByTestId('run-backtest').isDisabled(), true);
  // The refused key is named under the text (the error crosses the worker typed, not as text).
  assert.match(await page.getByTestId('config-error-key').textContent(), /thresholds\.entry_conf_overal/);

  // A bad value of a key the form shows marks that field.
  await yaml.fill(text.replace(/max_hold_bars: \d+/, 'max_hold_bars: -5'));
  await status.filter({ hasText: 'max_hold_bars' }).waitFor();
  await page.locator('.field.invalid').filter({ hasText: 'max_hold_bars' }).waitFor();
  assert.match(await page.getByTestId('config-error-key').textContent(), /max_hold_bars.*marked in the form/);

  await yaml.fill(text);
  await status.filter({ hasText: 'valid genesis config' }).waitFor();
  const field = page.getByLabel('max_hold_bars', { exact: true });
  await field.fill('48');
  await field.press('Tab');
  await page.waitForFunction(() => document.querySelector('[data-testid=config-yaml]').value.includes('max_hold_bars: 48'));
  assert.match(await yaml.inputValue(), /# Close a position at the open/, 'comments survive form edits');
  await status.filter({ hasText: 'valid genesis config' }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a window shorter than the warm-up says so in words instead of a silent zero trades', async () => {
  const page = await env.newPage();
  await loadDemo(page);
  await page.getByTestId('nav-backtest').click();
  await page.getByTestId('preset-select').selectOption('genesis');
  await page.getByTestId('config-status').filter({ hasText: 'valid genesis config' }).waitFor();
  await page.getByLabel('From (UTC, optional)').fill('2024-01-01');
  await page.getByLabel('To (UTC, exclusive, optional)').fill('2024-01-05');
  await page.getByTestId('run-backtest').click();
  const notes = page.getByTestId('run-notes');
  await notes.filter({ hasText: 'warm-up' }).waitFor();
  assert.match(await notes.textContent(), /genesis needs \d+ bars of warm-up; this window has \d+/);
  assert.equal((await page.getByTestId('metric-trades').textContent()).trim(), '0');
  assert.deepEqual(page.errors, []);
  await page.close();
});
