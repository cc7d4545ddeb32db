// Shared set-up for the end-to-end tests: Debian's Chromium driven by playwright-core, the
// built site served on 127.0.0.1 by the test itself, and a record of console errors.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function distDir() {
  const dist = process.env.GENESIS_DIST;
  if (!dist) throw new Error('GENESIS_DIST must name the built site (cargo xtask test sets it)');
  return dist;
}

/**
 * The sub-path the tests serve the site under by default: the site must work from any static
 * host under any path, so the tests use a path that is not the root.
 */
export const DEFAULT_BASE = '/labs/genesis/';

/**
 * Starts a server and a fresh browser profile. Returns { url, context, newPage, close }.
 * `newPage()` opens a page that records console errors and page errors in `page.errors`.
 */
export async function launch({ base = DEFAULT_BASE } = {}) {
  const server = await startServer({ root: distDir(), base });
  const profile = await mkdtemp(join(tmpdir(), 'genesis-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_FLAGS,
    headless: true,
    viewport: { width: 1280, height: 900 },
  });
  const newPage = async () => {
    const page = await context.newPage();
    page.errors = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') page.errors.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => page.errors.push(`pageerror: ${err.message}`));
    return page;
  };
  return {
    url: server.url,
    context,
    newPage,
    async close() {
      await context.close();
      await server.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the app and waits until every worker has answered its hello. */
export async function openApp(page, url, hash = '') {
  await page.goto(url + hash);
  await page.getByTestId('worker-status').filter({ hasText: 'ready' }).waitFor({ timeout: 60_000 });
}

/** A generic CSV of `n` hourly bars with a gentle wave, as a trader's export would look. */
export function candleCsv(n, { brokenLine = null, start = Date.UTC(2024, 0, 1) } = {}) {
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < n; i++) {
    const mid = 100 + 10 * Math.sin(i / 15) + i * 0.01;
    const open = mid.toFixed(2);
    const close = (mid + Math.cos(i / 7)).toFixed(2);
    let high = (Math.max(open, close) + 0.5).toFixed(2);
    const low = (Math.min(open, close) - 0.5).toFixed(2);
    // Line numbers count the header as line 1, so data row i sits on line i + 2.
    if (brokenLine === i + 2) high = (Math.min(open, close) - 1).toFixed(2);
    lines.push(`${new Date(start + i * 3_600_000).toISOString()},${open},${high},${low},${close},${(1000 + i).toFixed(1)}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

/** Uploads a CSV on the Data page and waits until it is listed. */
export async function uploadCsv(page, name, buffer) {
  const rows = page.getByTestId('dataset-row');
  const before = await rows.count();
  await page.getByTestId('dataset-file-input').setInputFiles({ name, mimeType: 'text/csv', buffer });
  await rows.nth(before).waitFor();
}

/**
 * The first parameter of the space each base preset starts from: seeing it in the space
 * check says the preset's own space has arrived (a rules preset's is over its `params`).
 */
const FIRST_PARAMETER = {
  sma_cross: 'fast_period',
  rules_sma_cross: 'params.fast',
  rules_rsi_reversion: 'params.exit_level',
};

/**
 * Runs a short study from the Optimize page and waits until it has finished: `base` picks
 * the base preset (its starting search space comes with it; `null` keeps the base and space
 * the page has), `topK` how many trials are validated out of sample.
 */
export async function runStudy(page, { name, trials, base = null, topK = 0 }) {
  await page.getByTestId('nav-optimize').click();
  await page.getByTestId('space-status').filter({ hasText: 'valid space' }).waitFor();
  if (base !== null) {
    const first = FIRST_PARAMETER[base];
    if (!first) {
      throw new Error(`runStudy knows the spaces of ${Object.keys(FIRST_PARAMETER).join(', ')}, not ${base}`);
    }
    await page.getByTestId('study-base-select').selectOption(base);
    await page.getByTestId('space-status').filter({ hasText: `valid space: ${first}` }).waitFor();
  }
  await page.getByTestId('study-name-input').fill(name);
  await page.getByTestId('study-trials-input').fill(String(trials));
  await page.getByLabel('Validate top K').fill(String(topK));
  await page.getByTestId('study-start').click();
  await page.getByTestId('study-progress').filter({ hasText: /· finished/ }).waitFor({ timeout: 120_000 });
}
