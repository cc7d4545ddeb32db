// Studies in the browser: parallel trials in real workers, persisted as they finish,
// listed after a reload, resumed exactly, exported and imported back, and surviving a
// worker that dies mid-trial.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, openApp } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

async function setUpStudy(page, { name, trials, workers = '2', seed = '42', topK = '0' }) {
  await page.getByTestId('nav-optimize').click();
  await page.getByTestId('space-status').filter({ hasText: 'valid space' }).waitFor();
  await page.getByTestId('study-name-input').fill(name);
  await page.getByTestId('study-seed-input').fill(seed);
  await page.getByTestId('study-trials-input').fill(String(trials));
  await page.getByTestId('study-workers-input').fill(workers);
  await page.getByLabel('Validate top K').fill(topK);
}

async function waitForStudyEnd(page) {
  await page.getByTestId('study-progress').filter({ hasText: /· (finished|stopped)/ }).waitFor({ timeout: 240_000 });
}

async function studyRow(page, name) {
  await page.getByTestId('nav-studies').click();
  const row = page.getByTestId('study-row').filter({ has: page.getByRole('button', { name, exact: true }) });
  await row.waitFor();
  return row;
}

/** Splits one CSV line, honouring double-quoted fields (constraint reasons contain commas). */
function csvFields(line) {
  const fields = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { fields.push(field); field = ''; }
    else field += c;
  }
  fields.push(field);
  return fields;
}

/** The study's trials as exported to CSV, without the columns that record wall-clock time. */
async function trialsCsv(page, name) {
  const row = await studyRow(page, name);
  const download = page.waitForEvent('download');
  await row.getByTestId('study-export').selectOption('csv');
  const text = await readFile(await (await download).path(), 'utf8');
  const lines = text.trim().split('\n').map(csvFields);
  const timing = new Set(['started_ms', 'finished_ms', 'duration_ms', 'worker']);
  const keep = lines[0].map((column, i) => (timing.has(column) ? -1 : i)).filter((i) => i >= 0);
  return lines.map((fields) => JSON.stringify(keep.map((i) => fields[i])));
}

test('a 50-trial study on 2 workers persists, survives a reload mid-run and resumes to the same study as an uninterrupted one', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  await page.getByTestId('load-demo').click();
  await page.getByTestId('dataset-row').first().waitFor();

  await setUpStudy(page, { name: 'interrupted', trials: 50 });
  await page.getByTestId('study-start').click();
  await waitForStudyEnd(page);
  assert.match(await page.getByTestId('study-progress').textContent(), /^50 \/ 50 trials/);
  assert.match(await page.getByTestId('study-best-score').textContent(), /^-?\d+\.\d{4}$/);

  // Skill or selection: the finished study's DSR and PBO, in numbers and words, with the
  // logit histogram; the Optuna export carries the same DSR for optuna-dashboard.
  const dsrShown = (await page.getByTestId('selection-dsr').textContent()).trim();
  assert.match(dsrShown, /^\d\.\d{4}$/);
  assert.match((await page.getByTestId('selection-pbo').textContent()).trim(), /^\d\.\d{4}$/);
  assert.match(await page.getByTestId('selection-sentences').textContent(), /a fluke of selection among \d+ tries: \d+ %/);
  await page.getByTestId('pbo-histogram').waitFor();
  const exported = page.waitForEvent('download');
  await (await studyRow(page, 'interrupted')).getByTestId('study-export').selectOption('optuna');
  const studyAttrs = JSON.parse((await readFile(await (await exported).path(), 'utf8')).split('\n')[1]).user_attr;
  assert.equal(studyAttrs.genesis_dsr.toFixed(4), dsrShown);

  await page.reload();
  const row = await studyRow(page, 'interrupted');
  assert.equal((await row.getByTestId('study-row-trials').textContent()).trim(), '50');

  // Resume with a large budget and reload mid-run: the finished trials are kept, at most the
  // running ones are lost, and the study resumes from there.
  await row.getByTestId('study-resume-trials').fill('5000');
  await row.getByTestId('study-resume').click();
  await page.waitForFunction(() => {
    const m = /^(\d+) \/ 5000/.exec(document.querySelector('[data-testid=study-progress]')?.textContent ?? '');
    return m && Number(m[1]) >= 120;
  }, null, { timeout: 120_000 });
  await page.reload();
  const again = await studyRow(page, 'interrupted');
  const kept = Number((await again.getByTestId('study-row-trials').textContent()).trim());
  assert.ok(kept >= 110 && kept < 5000, `${kept} trials kept after the reload`);
  assert.match(await again.textContent(), /interrupted \(resumable\)/);
  const total = kept + 30;
  await again.getByTestId('study-resume-trials').fill(String(total));
  await again.getByTestId('study-resume').click();
  await waitForStudyEnd(page);
  assert.match(await page.getByTestId('study-progress').textContent(), new RegExp(`^${total} / ${total} trials`));
  const resumedBest = await page.getByTestId('study-best-score').textContent();

  await setUpStudy(page, { name: 'uninterrupted', trials: total });
  await page.getByTestId('study-start').click();
  await waitForStudyEnd(page);
  assert.equal(await page.getByTestId('study-best-score').textContent(), resumedBest);

  const resumed = await trialsCsv(page, 'interrupted');
  const straight = await trialsCsv(page, 'uninterrupted');
  assert.ok(resumed.length >= total + 1, 'a header and every trial (duplicates included)');
  assert.deepEqual(resumed, straight, 'the resumed study equals the uninterrupted one, trial by trial');

  // The Optuna journal export imports back as a study with the same trials.
  const download = page.waitForEvent('download');
  await (await studyRow(page, 'uninterrupted')).getByTestId('study-export').selectOption('optuna');
  const journal = await readFile(await (await download).path());
  await page.getByTestId('study-import-input').setInputFiles({ name: 'uninterrupted.optuna.jsonl', mimeType: 'application/x-ndjson', buffer: journal });
  await page.getByTestId('notice').filter({ hasText: 'Imported study' }).waitFor();
  const imported = page.getByTestId('study-row').filter({ hasText: 'imported' });
  await imported.waitFor();
  assert.equal((await imported.getByTestId('study-row-trials').textContent()).trim(), String(total));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a worker that dies mid-trial fails that trial with the reason and the study finishes', async () => {
  const page = await env.newPage();
  await openApp(page, env.url, '#/data');
  if (await page.getByTestId('dataset-row').count() === 0) {
    await page.getByTestId('load-demo').click();
    await page.getByTestId('dataset-row').first().waitFor();
  }
  await setUpStudy(page, { name: 'crash', trials: 30 });
  await page.evaluate(() => window.genesisTest.crashNextTrial());
  await page.getByTestId('study-start').click();
  await waitForStudyEnd(page);
  assert.match(await page.getByTestId('study-progress').textContent(), /^30 \/ 30 trials/);
  const csv = await trialsCsv(page, 'crash');
  const failed = csv.filter((line) => JSON.parse(line)[1] === 'failed');
  assert.equal(failed.length, 1, 'exactly the trial that was running in the dying worker failed');
  assert.match(failed[0], /the worker crashed/);
  const versions = await page.evaluate(() => window.genesisTest.helloAll());
  assert.equal(versions.length, 2, 'the pool replaced the worker');
  // The crash logs a panic to the console by design; nothing else may.
  assert.deepEqual(page.errors.filter((e) => !e.includes('panicked on purpose') && !e.includes('unreachable')), []);
  await page.close();
});
