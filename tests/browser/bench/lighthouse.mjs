// `cargo xtask bench lighthouse`: Lighthouse on each of the four tabs, run through its Node API.
//
// It lives here, beside the map benchmark, because it is a browser benchmark and uses the same
// environment: xtask builds the release server, starts it on the demo data and passes its URL
// (LINLI_URL) and the system Chromium (LINLI_CHROMIUM). A script rather than the lighthouse CLI,
// so that the median run is chosen with Lighthouse's own helper and only it is kept.
//
// For each tab, RUNS (default 3) Lighthouse runs, each in a fresh headless Chromium launched by
// chrome-launcher: Lighthouse's default config, that is the mobile form factor (a Moto G Power
// sized screen) with simulated throttling (slow 4G, the CPU 4× slower), categories performance,
// accessibility and best practices. Of these runs the median one (Lighthouse's computeMedianRun:
// the run nearest the median first contentful paint and time to interactive, as its variability
// guide advises) is reported, and its JSON and HTML reports are written to LINLI_LIGHTHOUSE_OUT.
//
// Progress goes to stderr; stdout carries only lines for xtask, tab-separated `key=value`
// fields after a tag:
//   LINLI-LIGHTHOUSE       tab, performance, accessibility, best-practices (0–100), fcp, lcp,
//                          tbt (ms), runs (each run's performance score), benchmark (the CPU
//                          benchmark index Lighthouse measured), report (the HTML)
//   LINLI-LIGHTHOUSE-ENV   lighthouse (its version), browser (the user agent), once
//   LINLI-LIGHTHOUSE-AUDIT tab, category, id, score, title, explanation (axe's, for the first
//                          element), count, items (what it found, ` | `-joined)
//   LINLI-LIGHTHOUSE-ERROR tab, error (every run failed, e.g. NO_FCP)
//   LINLI-LIGHTHOUSE-WARN  tab, warning (Lighthouse's run warnings for the median run, and runs
//                          left out because they failed)

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
// Not in Lighthouse's documented API, but its package has no exports map and is pinned exactly.
import { computeMedianRun } from 'lighthouse/core/lib/median-run.js';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through \`cargo xtask bench lighthouse\``);
  return value;
};

const base = env('LINLI_URL').replace(/\/$/, '');
const chromePath = env('LINLI_CHROMIUM');
const out = env('LINLI_LIGHTHOUSE_OUT');
const runs = Math.max(1, Number(process.env.RUNS ?? 3));
const tabs = (process.env.TABS ?? '/requests,/consultations,/circle,/me').split(',');
const categories = ['performance', 'accessibility', 'best-practices'];

/** One value for a `key=value` field: no tabs or line breaks. */
const clean = (value) => String(value).replace(/\s*[\t\r\n]+\s*/g, ' ').trim();
const line = (tag, fields) =>
  console.log([tag, ...Object.entries(fields).map(([k, v]) => `${k}=${clean(v)}`)].join('\t'));

/** A category's score as the report shows it (0–100), or '' when Lighthouse gave none. */
const score = (lhr, id) => {
  const s = lhr.categories[id]?.score;
  return s === null || s === undefined ? '' : Math.round(s * 100);
};
const ms = (lhr, id) => {
  const v = lhr.audits[id]?.numericValue;
  return v === undefined ? '' : Math.round(v);
};

/** What a failing audit points at: elements (selector and snippet), URLs or descriptions. */
function items(audit) {
  const found = [];
  const visit = (item) => {
    if (!item || typeof item !== 'object') return;
    const node = item.node ?? (item.type === 'node' ? item : null);
    if (node) {
      const snippet = node.snippet ? ` ${node.snippet}` : '';
      found.push(`${node.selector ?? node.path ?? ''}${snippet}`.trim());
    } else if (item.url || item.source?.url || item.description) {
      found.push([item.description, item.url ?? item.source?.url].filter(Boolean).join(' '));
    }
    for (const sub of item.subItems?.items ?? []) visit(sub);
  };
  for (const item of audit.details?.items ?? []) visit(item);
  const unique = [...new Set(found.filter(Boolean).map((f) => f.slice(0, 200)))];
  return unique.length > 8 ? [...unique.slice(0, 8), `and ${unique.length - 8} more`] : unique;
}

async function once(url) {
  const chrome = await chromeLauncher.launch({
    chromePath,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
    logLevel: 'silent',
  });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: ['json', 'html'],
      logLevel: 'error',
      onlyCategories: categories,
    });
    return result;
  } finally {
    await chrome.kill();
  }
}

mkdirSync(out, { recursive: true });
let versionsSaid = false;
for (const tab of tabs) {
  const url = `${base}${tab}`;
  const done = [];
  const errors = [];
  for (let i = 1; i <= runs; i += 1) {
    const started = Date.now();
    const result = await once(url);
    const lhr = result.lhr;
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (lhr.runtimeError) {
      errors.push(`${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
      console.error(`${tab} run ${i}/${runs}: ${lhr.runtimeError.code} (${seconds} s)`);
      continue;
    }
    done.push(result);
    console.error(
      `${tab} run ${i}/${runs}: performance ${score(lhr, 'performance')}, ` +
        `accessibility ${score(lhr, 'accessibility')}, best practices ${score(lhr, 'best-practices')}, ` +
        `FCP ${ms(lhr, 'first-contentful-paint')} ms, LCP ${ms(lhr, 'largest-contentful-paint')} ms, ` +
        `TBT ${ms(lhr, 'total-blocking-time')} ms (${seconds} s)`,
    );
  }
  // computeMedianRun needs each run's first contentful paint and time to interactive.
  const hasTimes = (r) => ['first-contentful-paint', 'interactive']
    .every((id) => Number.isFinite(r.lhr.audits[id]?.numericValue));
  const measured = done.filter(hasTimes);
  if (done.length > measured.length) errors.push('a run measured no first contentful paint or time to interactive');
  if (measured.length === 0) {
    line('LINLI-LIGHTHOUSE-ERROR', { tab, error: errors.join('; ') });
    continue;
  }
  for (const error of errors) line('LINLI-LIGHTHOUSE-WARN', { tab, warning: `a run left out: ${error}` });
  const median = computeMedianRun(measured.map((r) => r.lhr));
  const chosen = measured.find((r) => r.lhr === median);
  const name = tab.replace(/^\//, '').replace(/\W+/g, '-') || 'root';
  writeFileSync(join(out, `${name}.report.json`), chosen.report[0]);
  const html = join(out, `${name}.report.html`);
  writeFileSync(html, chosen.report[1]);
  line('LINLI-LIGHTHOUSE', {
    tab,
    performance: score(median, 'performance'),
    accessibility: score(median, 'accessibility'),
    'best-practices': score(median, 'best-practices'),
    fcp: ms(median, 'first-contentful-paint'),
    lcp: ms(median, 'largest-contentful-paint'),
    tbt: ms(median, 'total-blocking-time'),
    runs: measured.map((r) => score(r.lhr, 'performance')).join(','),
    // Lighthouse's measure of this machine's CPU at the time (a mid-range phone is ~1000).
    benchmark: Math.round(median.environment?.benchmarkIndex ?? NaN),
    report: html,
  });
  if (!versionsSaid) {
    versionsSaid = true;
    line('LINLI-LIGHTHOUSE-ENV', {
      lighthouse: median.lighthouseVersion,
      browser: median.environment?.hostUserAgent ?? '',
    });
  }
  for (const warning of median.runWarnings ?? []) line('LINLI-LIGHTHOUSE-WARN', { tab, warning });
  // The audits that cost accessibility or best practices points in the median run.
  for (const category of ['accessibility', 'best-practices']) {
    for (const ref of median.categories[category]?.auditRefs ?? []) {
      const audit = median.audits[ref.id];
      if (ref.weight === 0 || audit?.score === null || audit?.score === undefined || audit.score >= 1) continue;
      line('LINLI-LIGHTHOUSE-AUDIT', {
        tab,
        category,
        id: ref.id,
        score: audit.score,
        title: audit.title,
        // axe's reason for the first element (all of them are in the report).
        explanation: audit.details?.items?.find((i) => i.node?.explanation)?.node.explanation ?? '',
        count: audit.details?.items?.length ?? 0,
        items: items(audit).join(' | '),
      });
    }
  }
}
