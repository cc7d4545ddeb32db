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
