// The browser half of `cargo xtask bench`: opens the release site in headless Chromium and
// runs the workloads the app registers on `window.genesisBench` (inside its workers), printing
// one JSON line per workload for xtask to collect.
import { launch, openApp } from './harness.mjs';

const env = await launch();
try {
  const page = await env.newPage();
  await openApp(page, env.url);
  const rows = await page.evaluate(async () => (window.genesisBench ? await window.genesisBench() : []));
  for (const row of rows) console.log(JSON.stringify(row));
  if (rows.length === 0) console.error('the app registers no browser workloads yet');
} finally {
  await env.close();
}
