// Accessibility: axe-core audits every page in the states a trader sees (empty, with data,
// with results, with a study open), and the main path works from the keyboard alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { launch, openApp, runStudy } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

/**
 * Runs axe-core in the page and returns its serious and critical violations, one line each.
 * The source goes in through `evaluate` (a debugger-protocol call) because the site's
 * Content-Security-Policy rightly refuses an injected script tag.
 */
async function seriousViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 5).join(', ')}`);
}

async function audit(page, state) {
  assert.deepEqual(await seriousViolations(page), [], `axe violations on ${state}`);
}

test('every page passes an axe-core audit with no serious or critical violation', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  await audit(page, 'the empty data page');

  await page.getByTestId('load-demo').click();
  await page.getByTestId('dataset-row').first().waitFor();
  await page.getByTestId('dataset-row').first().getByRole('button', { name: 'demo-BTCUSD_1h.csv', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=price-chart]')?.width > 300);
  await audit(page, 'the data page with a dataset open');

  await page.getByTestId('nav-backtest').click();
  await page.getByTestId('preset-select').selectOption('sma_cross');
  await page.getByTestId('config-status').filter({ hasText: 'valid sma_cross config' }).waitFor();
  await audit(page, 'the backtest page before a run');
  await page.getByTestId('run-backtest').click();
  await page.getByTestId('metric-score').waitFor();
  await audit(page, 'the backtest page with results');

  // The rule editor with a mistake underlined and the reference open, then a rules run's plots.
  await page.getByTestId('preset-select').selectOption('rules_rsi_reversion');
  await page.getByTestId('config-status').filter({ hasText: 'valid rules config' }).waitFor();
  const yaml = page.getByTestId('config-yaml');
  const rules = await yaml.inputValue();
  await yaml.fill(rules.replace('long_entry: rsi(', 'long_entry: rsii('));
  await page.getByTestId('rule-error-mark').waitFor();
  await page.getByTestId('rules-reference').locator('summary').click();
  await audit(page, 'the rule editor with a mistake underlined and the reference open');
  await yaml.fill(rules);
  await page.getByTestId('config-status').filter({ hasText: 'valid rules config' }).waitFor();
  await page.getByTestId('run-backtest').click();
  await page.getByTestId('indicator-pane').waitFor();
  await audit(page, 'a rules backtest with its plots');

  await page.getByTestId('nav-optimize').click();
  await page.getByTestId('space-status').filter({ hasText: 'valid space' }).waitFor();
  await audit(page, 'the optimize page');
  await runStudy(page, { name: 'audited study', trials: 8, base: 'sma_cross', topK: 2 });
  await audit(page, 'the optimize page after a study');

  await page.getByTestId('nav-studies').click();
  await page.getByTestId('study-row').first().waitFor();
  await audit(page, 'the studies list');
  await page.getByTestId('study-row').getByRole('button', { name: 'audited study', exact: true }).click();
  await page.getByTestId('study-best-score').waitFor();
  await audit(page, 'an open study');
  await page.getByTestId('trial-replay').first().click();
  await page.getByTestId('replay-verdict').waitFor();
  await audit(page, 'a replayed trial');
  assert.deepEqual(page.errors, []);
  await page.close();
});

/**
 * Presses Tab until the focused element matches `selector` (and has the text `text`, when
 * given); fails after `limit` presses.
 */
async function tabTo(page, selector, { text = null, limit = 120 } = {}) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(([s, t]) => {
      const el = document.activeElement;
      return !!el && el.matches(s) && (t === null || el.textContent.trim() === t);
    }, [selector, text]);
    if (focused) return;
  }
  assert.fail(`${selector}${text ? ` "${text}"` : ''} is not reachable with Tab`);
}

test('the keyboard alone loads the demo, runs a backtest, runs a study and opens it', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  await tabTo(page, '[data-testid=load-demo]');
  await page.keyboard.press('Enter');
  await page.getByTestId('dataset-row').first().waitFor();

  await tabTo(page, '[data-testid=nav-backtest]');
  await page.keyboard.press('Enter');
  await page.getByTestId('preset-select').waitFor();
  await tabTo(page, '[data-testid=preset-select]');
  await page.keyboard.press('ArrowDown');
  await page.getByTestId('config-status').filter({ hasText: /valid \w+ config/ }).waitFor();
  await tabTo(page, '[data-testid=run-backtest]');
  await page.keyboard.press('Enter');
  await page.getByTestId('metric-score').waitFor();

  await tabTo(page, '[data-testid=nav-optimize]');
  await page.keyboard.press('Enter');
  await page.getByTestId('space-status').filter({ hasText: 'valid space' }).waitFor();
  await tabTo(page, '[data-testid=study-name-input]');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('keyboard study');
  await tabTo(page, '[data-testid=study-trials-input]');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('4');
  await tabTo(page, '[data-testid=study-start]');
  await page.keyboard.press('Enter');
  await page.getByTestId('study-progress').filter({ hasText: /· finished/ }).waitFor({ timeout: 120_000 });

  await tabTo(page, '[data-testid=nav-studies]');
  await page.keyboard.press('Enter');
  await page.getByTestId('study-row').filter({ hasText: 'keyboard study' }).waitFor();
  await tabTo(page, '[data-testid=study-row] button', { text: 'keyboard study' });
  await page.keyboard.press('Enter');
  await page.getByTestId('study-best-score').waitFor();
  await tabTo(page, '[data-testid=trial-replay]');
  await page.keyboard.press('Enter');
  await page.getByTestId('replay-verdict').filter({ hasText: 'identical' }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});
