// Walk-forward in the browser: a 4-fold run of the genesis preset over the demo data, its
// timeline and stitched equity drawn, one fold's choice replayed bit for bit, a run reloaded
// mid-way and resumed, equal to an uninterrupted run with another number of workers, and a
// run exported as a bundle and imported back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, openApp } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

/** Bright pixels on a canvas: the chart drew something. */
async function ink(locator) {
  return locator.evaluate((c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 120) n++;
    return n;
  });
}

async function setUp(page, { trials, workers }) {
  await page.getByTestId('nav-optimize').click();
  await page.getByTestId('optimize-tab-walkforward').click();
  await page.getByTestId('space-status').filter({ hasText: 'valid space' }).waitFor();
  await page.getByTestId('study-name-input').fill('wf');
  await page.getByTestId('study-trials-input').fill(String(trials));
  await page.getByTestId('study-workers-input').fill(String(workers));
  // No out-of-sample split inside the folds: each fold chooses its best feasible trial.
  await page.getByTestId('study-split-input').fill('');
  // 9,000 bars to train, 2,000 to test: four folds over the demo's 17,278 bars.
  await page.getByTestId('wf-train').fill('9000');
  await page.getByTestId('wf-test').fill('2000');
}

async function reportJson(page) {
  const download = page.waitForEvent('download');
  await page.getByTestId('wf-export-json').click();
  const report = JSON.parse(await readFile(await (await download).path(), 'utf8'));
  return report;
}

test('a 4-fold walk-forward draws its folds and equity, replays a fold, and resumes after a reload to the uninterrupted run', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  await page.getByTestId('load-demo').click();
  await page.getByTestId('dataset-row').first().waitFor();

  // Interrupted: reloaded once a fold is stored, then resumed.
  await setUp(page, { trials: 1500, workers: 2 });
  await page.getByTestId('wf-start').click();
  await page.getByTestId('wf-progress').filter({ hasText: /^[123] of 4 folds done/ }).waitFor({ timeout: 120_000 });
  await page.reload();
  await page.getByTestId('nav-optimize').click();
  await page.getByTestId('optimize-tab-walkforward').click();
  const row = page.getByTestId('wf-row').first();
  await row.waitFor();
  assert.match(await row.getByTestId('wf-row-status').textContent(), /interrupted \(resumable\)/);
  const kept = await row.getByTestId('wf-row-folds').textContent();
  assert.match(kept, /^[123] \/ 4$/);
  await row.getByTestId('wf-resume').click();
  await page.getByTestId('wf-progress').filter({ hasText: 'finished: 4 of 4 folds' }).waitFor({ timeout: 120_000 });

  // The open run: four folds, the headline, both charts drawn.
  assert.equal(await page.getByTestId('wf-fold-row').count(), 4);
  assert.match(await page.getByTestId('wf-return').textContent(), /^-?\d+\.\d{2} %$/);
  assert.match(await page.getByTestId('wf-buy-and-hold').textContent(), /^-?\d+\.\d{2} %$/);
  await page.waitForFunction(() => document.querySelector('[data-testid=wf-equity]')?.width > 0);
  assert.ok(await ink(page.getByTestId('wf-timeline')) > 500, 'the timeline is drawn');
  assert.ok(await ink(page.getByTestId('wf-equity')) > 500, 'the stitched equity is drawn');
  const resumed = await reportJson(page);
  assert.equal(resumed.n_done, 4);

  // One fold's choice, replayed from scratch in a worker: the same to the bit.
  await page.getByTestId('wf-replay').nth(1).click();
  await page.getByTestId('wf-replay-verdict').nth(1).filter({ hasText: 'identical' }).waitFor({ timeout: 60_000 });

  // The same set-up uninterrupted, on one worker: the same report.
  await setUp(page, { trials: 1500, workers: 1 });
  await page.getByTestId('wf-start').click();
  await page.getByTestId('wf-progress').filter({ hasText: /^[0-3] of 4 folds done/ }).waitFor({ timeout: 60_000 });
  await page.getByTestId('wf-progress').filter({ hasText: 'finished: 4 of 4 folds' }).waitFor({ timeout: 180_000 });
  const straight = await reportJson(page);
  assert.deepEqual(straight, resumed, 'the resumed run equals the uninterrupted one');

  // The run as a bundle, imported back on the Studies page: the same report.
  const exported = page.waitForEvent('download');
  await page.getByTestId('wf-export-bundle').selectOption('bundle');
  const bundle = await readFile(await (await exported).path());
  await page.getByTestId('nav-studies').click();
  await page.getByTestId('study-import-input').setInputFiles({ name: 'wf.genesis-walkforward.json', mimeType: 'application/json', buffer: bundle });
  await page.getByTestId('notice').filter({ hasText: 'Imported walk-forward run wf (4 of 4 folds)' }).waitFor();
  await page.getByTestId('nav-optimize').click();
  await page.getByTestId('optimize-tab-walkforward').click();
  await page.getByTestId('wf-row').nth(2).waitFor();
  await page.getByTestId('wf-open').first().click();
  await page.getByTestId('wf-open-run').waitFor();
  assert.deepEqual(await reportJson(page), straight, 'the imported run reports as the original');
  assert.deepEqual(page.errors, []);
  await page.close();
});
