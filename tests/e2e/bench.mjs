// The browser half of `cargo xtask bench`: opens the release site in headless Chromium and
// runs the workloads the app registers on `window.genesisBench` (inside its workers), printing
// one JSON line per workload for xtask to collect.
import { launch, openApp } from './harness.mjs';

const env = await launch();
try {
  const page = await env.newPage();
  await openApp(page, env.url);
  // Main-thread tasks over 50 ms (the Long Tasks API), to show the page stays responsive
  // while the workers run a study.
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask' });
  });
  const rows = await page.evaluate(async () => (window.genesisBench ? await window.genesisBench() : []));
  const longTasks = await page.evaluate(() => window.longTasks);
  for (const row of rows) {
    console.log(JSON.stringify(row));
    if (!row.span_ms) continue;
    const [start, end] = row.span_ms;
    const inside = longTasks.filter((t) => t.start < end && t.start + t.duration > start);
    const longest = Math.max(0, ...inside.map((t) => t.duration));
    console.log(JSON.stringify({
      name: `main_thread_longest_task_during_${row.name}`,
      median_ms: longest,
      min_ms: longest,
      target: `${inside.length} tasks over 50 ms (0 means none)`,
    }));
  }
  if (rows.length === 0) console.error('the app registers no browser workloads yet');
} finally {
  await env.close();
}
