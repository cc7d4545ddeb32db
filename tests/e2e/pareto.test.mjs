// A two-objective study in the browser: NSGA-II over total return against max drawdown,
// its Pareto front drawn (members highlighted, the rest dimmed or grey), a front member
// found by hovering the canvas and picked by a click, then replayed bit for bit, validated
// out of sample and promoted to champion.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

/** Moves the pointer over `canvas` on a grid finer than the hit radius until its read-out
 * says `wanted`; returns the read-out and where the pointer was. */
async function hoverUntil(page, canvas, readout, wanted) {
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  for (let y = box.y + 30; y < box.y + box.height - 40; y += 10) {
    for (let x = box.x + 60; x < box.x + box.width - 10; x += 10) {
      await page.mouse.move(x, y);
      const text = await readout.textContent();
      if (wanted.test(text)) return { text, x, y };
    }
  }
  throw new Error(`no mark on ${await canvas.getAttribute('data-testid')} reads ${wanted}`);
}

test('a two-objective study draws its Pareto front; a member is picked on the canvas, replayed, validated and promoted', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  await page.getByTestId('load-demo').click();
  await page.getByTestId('dataset-row').first().waitFor();

  await page.getByTestId('nav-optimize').click();
  await page.getByTestId('space-status').filter({ hasText: 'valid space' }).waitFor();
  await page.getByTestId('study-name-input').fill('pareto');
  await page.getByTestId('study-seed-input').fill('5');
  await page.getByTestId('study-trials-input').fill('120');
  await page.getByTestId('study-workers-input').fill('2');
  await page.getByTestId('study-sampler-select').selectOption('nsga2');
  await page.getByTestId('study-objectives-input').fill('total_return:maximize, max_drawdown:minimize');
  // Validation that any feasible out-of-sample run passes: this test is about the flow.
  await page.getByText('More options').click();
  await page.getByTestId('study-min-oos-score-input').fill('-100');
  await page.getByTestId('study-max-degradation-input').fill('100');
  await page.getByTestId('study-start').click();
  await page.getByTestId('study-progress').filter({ hasText: /· (finished|stopped)/ }).waitFor({ timeout: 240_000 });
  assert.match(await page.getByTestId('study-progress').textContent(), /^120 \/ 120 trials/);

  // The front and its hypervolume.
  const chart = page.getByTestId('pareto-chart');
  await chart.waitFor();
  await page.getByTestId('hypervolume-chart').waitFor();
  assert.deepEqual(await page.getByTestId('pareto-x').inputValue(), '0');
  assert.deepEqual(await page.getByTestId('pareto-y').inputValue(), '1');
  // Swapped axes draw the same trials the other way round; back again for the hunt below.
  await page.getByTestId('pareto-x').selectOption('1');
  await page.getByTestId('pareto-y').selectOption('0');
  await page.getByTestId('pareto-chart').locator('xpath=..').locator('.readout').waitFor({ state: 'hidden' });
  assert.deepEqual(await page.getByTestId('pareto-x').inputValue(), '1');
  await page.getByTestId('pareto-x').selectOption('0');
  await page.getByTestId('pareto-y').selectOption('1');
  const readout = chart.locator('xpath=..').locator('.readout');
  const hv = page.getByTestId('hypervolume-chart');
  const hvReadout = hv.locator('xpath=..').locator('.readout');
  const { text: hvText } = await hoverUntil(page, hv, hvReadout, /hypervolume \d/);
  assert.match(hvText, /^after \d+ evaluated trials \(trial #\d+\): hypervolume \d+\.\d{4}$/);

  const { text, x, y } = await hoverUntil(page, chart, readout, /on the Pareto front/);
  assert.match(text, /^trial #\d+ · total_return -?\d+\.\d{4} · max_drawdown \d+\.\d{4} · on the Pareto front · click to open it · /);
  const number = text.match(/^trial #(\d+)/)[1];
  await page.mouse.click(x, y);
  const pickedRow = page.locator('[data-testid="trial-row"][data-picked="true"]');
  await pickedRow.waitFor();
  assert.equal((await pickedRow.locator('td').first().textContent()).trim(), number);
  // The table gives every objective: trial, score, two objectives, feasible, ...
  assert.equal(await pickedRow.locator('td.num.mono').count(), 2);

  // Replayed bit for bit.
  await pickedRow.getByTestId('trial-replay').click();
  await page.getByTestId('replay-verdict').filter({ hasText: 'identical' }).waitFor({ timeout: 120_000 });

  // Validated with the front, then promoted.
  await page.getByTestId('study-validate').click();
  await pickedRow.filter({ hasText: /passed|failed/ }).waitFor({ timeout: 120_000 });
  await page.getByTestId('replay-progress').waitFor({ state: 'detached', timeout: 120_000 });
  assert.match(await pickedRow.textContent(), /passed/);
  await pickedRow.getByTestId('promote-champion').click();
  await page.getByTestId('promote-dialog').waitFor();
  await page.getByTestId('promote-confirm').click();
  await page.getByTestId('nav-studies').click();
  await page.getByTestId('champion-row').filter({ hasText: `Trial #${number} of study pareto` }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a space smaller than the budget ends exhausted with a full bar after exactly its size, and a best at a bound of its range is flagged', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  await page.getByTestId('load-demo').click();
  await page.getByTestId('dataset-row').first().waitFor();
  await page.getByTestId('nav-optimize').click();
  await page.getByTestId('study-base-select').selectOption('sma_cross');
  await page.getByTestId('space-status').filter({ hasText: 'valid space' }).waitFor();
  // 4 x 3 = 12 points, far fewer than the 40 trials asked for.
  await page.getByTestId('study-space-yaml').fill(
    '# The fast average.\nfast_period: {type: int, low: 5, high: 8}\n# The slow average.\nslow_period: {type: int, low: 20, high: 30, step: 5}\n',
  );
  await page.getByTestId('space-status').filter({ hasText: 'valid space: fast_period, slow_period' }).waitFor();
  await page.getByTestId('study-name-input').fill('tiny');
  await page.getByTestId('study-trials-input').fill('40');
  await page.getByTestId('study-workers-input').fill('2');
  await page.getByLabel('Validate top K').fill('0');
  await page.getByTestId('study-start').click();
  const progress = page.getByTestId('study-progress');
  await progress.filter({ hasText: /· (finished|stopped)/ }).waitFor({ timeout: 120_000 });
  const text = await progress.textContent();
  assert.match(text, /^12 \/ 12 trials/);
  assert.match(text, /finished: the search space is exhausted: all 12 of its points were evaluated \(12 of the 40 trials asked for\)/);
  const bar = page.locator('.live progress');
  assert.equal(await bar.getAttribute('value'), await bar.getAttribute('max'));
  // Every one of the 12 points ran once: the history has 12 slots.
  await page.getByTestId('bound-warning').first().waitFor();
  assert.match(await page.getByTestId('bound-warning').first().textContent(), /is at the (lower|upper) bound of its range \(\d+ to \d+\): the best value may lie beyond it; widen the range of (fast|slow)_period/);
  assert.deepEqual(page.errors, []);
  await page.close();
});
