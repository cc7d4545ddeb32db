// The site as people use it by link: a backtest shared in the URL reproduces the run (and
// asks for the file, checking its hash, when the receiver lacks it); a first visit runs the
// demo in one click; hostile names, links and files are refused or shown as text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { candleCsv, launch, openApp, runStudy, uploadCsv } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('a shared backtest link reproduces the run, and asks a receiver without the data for the file by hash', async () => {
  const csv = candleCsv(900);
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  await uploadCsv(page, 'SHARE_1h.csv', csv);
  await page.getByTestId('nav-backtest').click();
  const option = await page.getByTestId('dataset-select').locator('option', { hasText: 'SHARE_1h.csv' }).getAttribute('value');
  await page.getByTestId('dataset-select').selectOption(option);
  await page.getByTestId('preset-select').selectOption('rsi_reversion');
  await page.getByTestId('config-status').filter({ hasText: 'valid rsi_reversion config' }).waitFor();
  await page.getByLabel('From (UTC, optional)').fill('2024-01-05');
  await page.getByTestId('run-backtest').click();
  await page.getByTestId('metric-score').waitFor();
  const score = await page.getByTestId('metric-score').textContent();
  const trades = await page.getByTestId('metric-trades').textContent();
  await page.getByTestId('share-backtest').click();
  const link = await page.getByTestId('share-link').inputValue();
  assert.match(link, /#\/backtest\?d=[0-9a-f]{64}&n=.+&c=.+&from=2024-01-05/);

  // The same browser, the dataset present: the link runs by itself.
  const again = await env.newPage();
  await again.goto(link);
  await again.getByTestId('metric-score').waitFor();
  assert.equal(await again.getByTestId('metric-score').textContent(), score);
  assert.equal(await again.getByTestId('metric-trades').textContent(), trades);
  await again.close();

  // A colleague's fresh browser: asked for the file, refused the wrong one, runs with the right one.
  const other = await launch();
  try {
    const fresh = await other.newPage();
    await fresh.goto(link.replace(env.url, other.url));
    await fresh.getByTestId('shared-dataset-missing').filter({ hasText: 'SHARE_1h.csv' }).waitFor();
    await fresh.getByTestId('shared-dataset-input').setInputFiles({ name: 'other.csv', mimeType: 'text/csv', buffer: candleCsv(901) });
    await fresh.getByTestId('dataset-error').filter({ hasText: 'not the same data' }).waitFor();
    await fresh.getByTestId('shared-dataset-input').setInputFiles({ name: 'SHARE_1h.csv', mimeType: 'text/csv', buffer: csv });
    await fresh.getByTestId('metric-score').waitFor();
    assert.equal(await fresh.getByTestId('metric-score').textContent(), score);
    assert.equal(await fresh.getByTestId('metric-trades').textContent(), trades);
  } finally {
    await other.close();
  }

  // A damaged link is refused with the part named, and runs nothing.
  const damaged = await env.newPage();
  await damaged.goto(link.replace(/&c=[^&]+/, '&c=%25%25not-base64'));
  await damaged.getByTestId('error-banner').filter({ hasText: 'config (c)' }).waitFor();
  assert.equal(await damaged.getByTestId('metric-score').count(), 0);
  await damaged.close();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a first visit runs the demo in one click: data, a backtest and a short study', async () => {
  const first = await launch();
  try {
    const page = await first.newPage();
    await openApp(page, first.url, '#/data');
    await page.getByTestId('start-demo').click();
    await page.getByTestId('metric-score').waitFor({ timeout: 60_000 });
    assert.match(await page.getByTestId('metric-trades').textContent(), /^\d+$/);
    await page.getByTestId('notice').filter({ hasText: 'Demo study finished' }).waitFor({ timeout: 120_000 });
    await page.getByTestId('nav-optimize').click();
    assert.match(await page.getByTestId('study-progress').textContent(), /^40 \/ 40 trials/);
    assert.deepEqual(page.errors, []);

    // The same as a link: `#/demo` in a fresh browser.
    const linked = await launch();
    try {
      const byLink = await linked.newPage();
      await byLink.goto(`${linked.url}#/demo`);
      await byLink.getByTestId('metric-score').waitFor({ timeout: 60_000 });
      assert.deepEqual(byLink.errors, []);
    } finally {
      await linked.close();
    }
  } finally {
    await first.close();
  }
});

test('hostile file names are text, malformed study files are refused with the place named', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  const hostile = '<img src=x onerror="window.pwned=1">_1h.csv';
  await uploadCsv(page, hostile, candleCsv(300, { start: Date.UTC(2023, 0, 1) }));
  const row = page.getByTestId('dataset-row').filter({ hasText: '<img src=x' });
  await row.waitFor();
  assert.equal(await page.locator('[data-testid=dataset-row] img').count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);

  await page.getByTestId('nav-studies').click();
  const cases = [
    ['broken.json', '{"format": "genesis-lab-study-bundle", "version": 1,', /broken\.json: line 1, column \d+/],
    ['foreign.json', JSON.stringify({ format: 'something-else', version: 1, study_name: 'x', dataset: {}, journal: [], exported_at_ms: 0 }), /foreign\.json/],
    ['binary.json', Buffer.from([0xff, 0xfe, 0x00, 0x01]), /binary\.json: not UTF-8 text/],
  ];
  for (const [name, content, expected] of cases) {
    await page.getByTestId('study-import-input').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(content) });
    await page.getByTestId('error-banner').filter({ hasText: expected }).waitFor();
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a study whose signature differs is refused on resume, naming the part, unless overridden', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  await page.getByTestId('load-demo').click();
  await page.getByTestId('dataset-row').filter({ hasText: 'demo-BTCUSD' }).waitFor();
  await runStudy(page, { name: 'signed', trials: 12 });

  await page.getByTestId('nav-studies').click();
  const row = page.getByTestId('study-row').filter({ has: page.getByRole('button', { name: 'signed', exact: true }) });
  const download = page.waitForEvent('download');
  await row.getByTestId('study-export').selectOption('bundle');
  const bundle = JSON.parse(await readFile(await (await download).path(), 'utf8'));
  bundle.study_name = 'from an older engine';
  bundle.journal[0].signature.engine_version = '0.0.1';
  await page.getByTestId('study-import-input').setInputFiles({ name: 'old.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bundle)) });
  await page.getByTestId('notice').filter({ hasText: 'Imported study from an older engine' }).waitFor();

  const old = page.getByTestId('study-row').filter({ has: page.getByRole('button', { name: 'from an older engine', exact: true }) });
  await old.getByTestId('study-resume-trials').fill('20');
  await old.getByTestId('study-resume').click();
  await page.getByTestId('error-banner').filter({ hasText: /resume refused.*engine_version/s }).waitFor();

  await page.getByTestId('nav-studies').click();
  const retry = page.getByTestId('study-row').filter({ has: page.getByRole('button', { name: 'from an older engine', exact: true }) });
  await retry.getByTestId('study-resume-trials').fill('20');
  await retry.getByLabel(/despite a signature mismatch/).check();
  await retry.getByTestId('study-resume').click();
  await page.getByTestId('study-progress').filter({ hasText: /^20 \/ 20 trials.*finished/ }).waitFor({ timeout: 60_000 });
  await page.close();
});
