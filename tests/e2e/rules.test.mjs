// The rules strategy in the app: a rules preset from the preset select, a typo in a rule
// underlined where it is with the engine's message, fixed, backtested with its plots on the
// price chart and its oscillator in the pane below, shared by a link, optimised over its
// params from the Backtest page's config, resumed, and a trial replayed with its plots.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp, runStudy } from './harness.mjs';

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

test('a typo in a rule is underlined where it is, and the fixed rules backtest, plot, optimise and replay', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  await page.getByTestId('load-demo').click();
  await page.getByTestId('dataset-row').first().waitFor();
  await page.getByTestId('nav-backtest').click();

  // The rules presets are in the preset select like every strategy's.
  const options = await page.getByTestId('preset-select').locator('option').allTextContents();
  for (const preset of ['rules_sma_cross', 'rules_rsi_reversion', 'rules_bollinger_breakout', 'rules_donchian_breakout']) {
    assert.ok(options.includes(preset), `${preset} in ${options.join(', ')}`);
  }
  await page.getByTestId('preset-select').selectOption('rules_sma_cross');
  const status = page.getByTestId('config-status');
  await status.filter({ hasText: 'valid rules config' }).waitFor();
  await page.getByTestId('rule-editor').waitFor();

  // The reference lists inputs, operators and functions with signature, definition and warm-up.
  const reference = page.getByTestId('rules-reference');
  await reference.locator('summary').click();
  const referenceText = await reference.textContent();
  for (const expected of ['hl2', 'x[n]', 'sma(series, length)', 'crossover(a, b)', 'rsi(series, length)', 'TA-Lib', 'length − 1']) {
    assert.ok(referenceText.includes(expected), `the reference shows ${expected}`);
  }
  const rsiRow = page.getByTestId('rules-functions').locator('tr').filter({ hasText: 'rsi(series, length)' });
  assert.match(await rsiRow.textContent(), /Wilder.*/);

  // A typo: underlined on the typo itself, on the rule's line, with the engine's message.
  const yaml = page.getByTestId('config-yaml');
  const text = await yaml.inputValue();
  const typo = text.replace('long_entry: crossover(sma(close, fast)', 'long_entry: crossover(smaa(close, fast)');
  assert.notEqual(typo, text);
  await yaml.fill(typo);
  const mark = page.getByTestId('rule-error-mark');
  await mark.waitFor();
  assert.equal(await mark.isVisible(), true);
  assert.equal(await mark.textContent(), 'smaa');
  const ruleError = page.getByTestId('rule-error');
  await ruleError.filter({ hasText: 'unknown function smaa; did you mean sma?' }).waitFor();
  assert.match(await ruleError.textContent(), /rules\.long_entry:1:\d+: unknown function smaa; did you mean sma\?/);
  assert.equal(await page.getByTestId('run-backtest').isDisabled(), true);
  const ruleLine = typo.split('\n').findIndex((line) => line.includes('smaa(')) + 1;
  assert.equal((await page.locator('.code-gutter .error-line').textContent()).trim(), String(ruleLine));

  // The underline lies under the typo's characters in the textarea, not just somewhere.
  await yaml.evaluate((area) => { area.scrollTop = 0; area.scrollLeft = 0; area.dispatchEvent(new Event('scroll')); });
  const box = await mark.boundingBox();
  const place = await yaml.evaluate((area, line) => {
    const style = getComputedStyle(area);
    const rect = area.getBoundingClientRect();
    const lineHeight = parseFloat(style.lineHeight);
    const top = rect.top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop) + (line - 1) * lineHeight;
    // The text before the typo on its line, measured in the textarea's own font.
    const before = area.value.split('\n')[line - 1].split('smaa(')[0];
    const context = document.createElement('canvas').getContext('2d');
    context.font = `${style.fontSize} ${style.fontFamily}`;
    const left = rect.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft) + context.measureText(before).width;
    return { top, bottom: top + lineHeight, left };
  }, ruleLine);
  const middle = box.y + box.height / 2;
  assert.ok(middle > place.top && middle < place.bottom, `the mark (y ${middle}) is on line ${ruleLine} (${place.top}..${place.bottom})`);
  assert.ok(Math.abs(box.x - place.left) < 2, `the mark starts at x ${box.x}, the typo at ${place.left}`);

  // Fixed, with an oscillator added to the plots: the mark goes and the config is valid.
  const fixed = text.replace(
    /( {2}slow_ma: sma\(close, slow\).*\n)/,
    '$1  momentum: rsi(close, 14)  # an oscillator, drawn below the price\n',
  );
  assert.notEqual(fixed, text);
  await yaml.fill(fixed);
  await status.filter({ hasText: 'valid rules config' }).waitFor();
  assert.equal(await mark.count(), 0);
  assert.equal(await ruleError.count(), 0);

  await page.getByTestId('run-backtest').click();
  await page.getByTestId('metric-score').waitFor();
  assert.ok(Number(await page.getByTestId('metric-trades').textContent()) > 10);
  const legend = page.getByTestId('plot-legend');
  await legend.waitFor();
  const legendText = await legend.textContent();
  for (const name of ['fast_ma', 'slow_ma', 'momentum']) {
    assert.ok(legendText.includes(name), `${name} in the legend: ${legendText}`);
  }
  assert.match(legendText, /momentum in the pane below/);
  assert.match(legendText, /fast_ma on the price/);
  const pane = page.getByTestId('indicator-pane');
  await pane.waitFor();
  assert.ok(await ink(pane) > 1000, 'the indicator pane has a drawing');
  assert.ok(await ink(page.getByTestId('price-chart')) > 1000, 'the price chart has a drawing');

  // A shared link carries the rules: opened afresh, it runs the same config to the same result.
  const fingerprint = (await status.textContent()).match(/fingerprint (\w+)/)[1];
  const totalReturn = await page.getByTestId('metric-total-return').textContent();
  await page.getByTestId('share-backtest').click();
  const link = await page.getByTestId('share-link').inputValue();
  const other = await env.newPage();
  await openApp(other, link);
  await other.getByTestId('metric-score').waitFor();
  assert.equal(
    (await other.getByTestId('config-status').textContent()).match(/valid rules config · fingerprint (\w+)/)?.[1],
    fingerprint,
  );
  assert.equal(await other.getByTestId('metric-total-return').textContent(), totalReturn);
  await other.getByTestId('plot-legend').filter({ hasText: 'momentum' }).waitFor();
  assert.deepEqual(other.errors, []);
  await other.close();

  // Optimised from the Backtest page's config: the space starts from its params.
  await page.getByTestId('nav-optimize').click();
  await page.getByTestId('study-base-select').selectOption('@backtest');
  await page.getByTestId('space-status').filter({ hasText: 'valid space: params.fast, params.slow' }).waitFor();
  assert.match(await page.getByTestId('study-space-yaml').inputValue(), /^# The rules' params[^\n]*\nparams:\n {2}fast: \{type: int, low: 5, high: 20\}\n {2}slow: \{type: int, low: 10, high: 40\}\n/);
  await runStudy(page, { name: 'rules-study', trials: 20 });
  assert.match(await page.getByTestId('study-progress').textContent(), /^20 \/ 20 trials/);
  const rows = page.getByTestId('trial-row');
  assert.ok(await rows.count() > 0);
  assert.match(await rows.first().textContent(), /params\.fast=\d+\s+params\.slow=\d+/);

  // The rules study resumes from its journal to a larger budget.
  await page.getByTestId('study-resume-open-trials').fill('30');
  await page.getByTestId('study-resume-open').click();
  await page.getByTestId('study-progress').filter({ hasText: /^30 \/ 30 trials.*· finished/ }).waitFor({ timeout: 120_000 });

  // A trial replays bit for bit, with the rules' plots.
  await rows.first().getByTestId('trial-replay').click();
  await page.getByTestId('replay-verdict').filter({ hasText: 'identical' }).waitFor();
  const replayLegend = page.getByTestId('plot-legend');
  await replayLegend.waitFor();
  assert.match(await replayLegend.textContent(), /momentum/);
  await page.getByTestId('indicator-pane').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});
