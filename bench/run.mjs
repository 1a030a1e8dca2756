// `npm run bench`: runs the benchmarks, each in its own Node process with `--json`, gathers their
// rows and prints one table (support/table.mjs): per row the measure, fixturegen's median, the
// baseline measured side by side in the same run and its median, the ratio, the target (issue 13)
// and whether it holds. The table is also written to .fixturegen/bench/ (latest.md, latest.json,
// and a copy named by the time of the run). `npm run bench` builds dist/ first.
//
//   node bench/run.mjs [--quick] [--only bulk,build,...] [--checkout DIR] [--list]
//
// --quick: fewer repetitions in every bench (medians of 3, not for the record); --only: these row
// groups (see --list); --checkout: measure another checkout's bin/, dist/ and .venv (e.g. a
// branch's worktree). A bench that fails leaves its rows marked failed with the reason (a checkout
// without bulk fixtures: "needs bulk fixtures"); the others still run. Exit code 1 when a row
// failed; a missed target is a finding, not a failure.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_ROOT, checkoutOf } from './support/common.mjs';
import { renderMarkdown, renderText, summary } from './support/table.mjs';

/** Row groups, in the table's order: the benches that report them. */
const GROUPS = {
  bulk: { files: ['bulk-fixtures.mjs'], what: 'bulk setup vs floor and factories; session scope' },
  build: { files: ['build-scale.mjs'], what: 'build and check of 200 scenarios vs their floors' },
  watch: { files: ['watch-scale.mjs'], what: 'watch at 200 and 1,000 scenarios' },
  startup: { files: ['cli-startup.mjs'], what: '--help and --version vs node -e 0' },
  'watch-latency': { files: ['watch-latency.mjs'], what: 'watch vs a cold build, 36 models' },
  llm: {
    files: ['llm-concurrency.mjs', 'llm-prompt-size.mjs'],
    what: 'LLM client concurrency; prompt size',
  },
};

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    checkout: { type: 'string' },
    list: { type: 'boolean', default: false },
  },
});
if (values.list) {
  for (const [name, g] of Object.entries(GROUPS))
    console.log(`${name.padEnd(14)} ${g.what} (${g.files.join(', ')})`);
  process.exit(0);
}
const only = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(GROUPS);
const unknown = only.filter((g) => !(g in GROUPS));
if (unknown.length > 0) {
  console.error(`unknown group ${unknown.join(', ')}; groups: ${Object.keys(GROUPS).join(', ')}`);
  process.exit(2);
}

const checkout = checkoutOf(values);
const git = (...args) =>
  spawnSync('git', ['-C', checkout.root, ...args], { encoding: 'utf8' }).stdout?.trim() || '?';
const started = new Date();
const meta = {
  started: started.toISOString(),
  checkout: checkout.root,
  commit: git('rev-parse', '--short', 'HEAD'),
  branch: git('rev-parse', '--abbrev-ref', 'HEAD'),
  node: process.version,
  cores: cpus().length,
  loadStart: loadavg()[0],
  quick: values.quick,
  groups: only,
};

/** Runs one bench with --json; resolves with its rows (or one failed row when it gave none). */
function runBench(group, file) {
  const args = [fileURLToPath(new URL(file, import.meta.url)), '--json'];
  if (values.quick) args.push('--quick');
  if (values.checkout) args.push('--checkout', checkout.root);
  console.error(`\n== ${file}${values.quick ? ' --quick' : ''}`);
  return new Promise((resolve) => {
    // stdout holds the rows; the bench's own report goes to stderr, shown as it runs.
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c) => (stdout += c));
    child.on('exit', (code, signal) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      let rows = [];
      try {
        rows = JSON.parse(line).rows ?? [];
      } catch {
        // no rows: the bench crashed before reporting
      }
      if (rows.length === 0)
        rows = [
          {
            group,
            measure: file,
            unit: 'ms',
            fixturegen: null,
            baselineLabel: null,
            baseline: null,
            target: null,
            error: `${file} exited ${code ?? signal} without rows (its output is above)`,
          },
        ];
      resolve(rows);
    });
  });
}

const rows = [];
for (const group of Object.keys(GROUPS)) {
  if (!only.includes(group)) continue;
  for (const file of GROUPS[group].files) rows.push(...(await runBench(group, file)));
}
meta.finished = new Date().toISOString();
meta.loadEnd = loadavg()[0];

const head =
  `fixturegen bench, ${meta.started.slice(0, 16).replace('T', ' ')} UTC, ${meta.branch} ${meta.commit}` +
  ` (${meta.checkout}); ${meta.cores} cores, load average ${meta.loadStart.toFixed(1)} → ${meta.loadEnd.toFixed(1)}; Node ${meta.node}` +
  (values.quick ? '; --quick: fewer repetitions, not for the record' : '');
const counts = summary(rows);
const tail = `targets: ${counts.holds} hold, ${counts.missed} missed, ${counts.failed} failed`;
console.log(`\n${head}\n\n${renderText(rows)}\n${tail}`);

const dir = join(BENCH_ROOT, '.fixturegen', 'bench');
mkdirSync(dir, { recursive: true });
const stamp = meta.started.replace(/[:.]/g, '-');
const md = `${head}\n\n${renderMarkdown(rows)}\n${tail}\n`;
const json = `${JSON.stringify({ ...meta, rows }, null, 2)}\n`;
for (const name of ['latest', stamp]) {
  writeFileSync(join(dir, `${name}.md`), md);
  writeFileSync(join(dir, `${name}.json`), json);
}
console.log(`written: ${join(dir, 'latest.md')} and latest.json (a copy as ${stamp}.*)`);
process.exitCode = counts.failed > 0 ? 1 : 0;
