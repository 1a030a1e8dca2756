// Start-up time of `fixturegen --version` and `fixturegen --help` next to `node -e 0`, each the
// median of --runs (default 10) runs interleaved in the same loop, so that machine load hits all
// three alike. Target (issue 13): --help ≤ 2× node -e 0. Run `npm run build` first.
// Usage: node bench/cli-startup.mjs [--runs N] [--bin PATH] [--quick] [--json] [--checkout DIR]
// (--bin: another build's bin/fixturegen.js, e.g. an older commit's, to compare in the same run)
import { spawnSync } from 'node:child_process';
import { benchArgs, checkoutOf, median, report, requireBuilt } from './support/common.mjs';

const values = benchArgs(
  { runs: { type: 'string', default: '10' }, bin: { type: 'string' } },
  { runs: '5' },
);
const runs = Number(values.runs);
const checkout = checkoutOf(values);
const out = report('startup', values);
if (!values.bin) requireBuilt(checkout, out.log);
const bin = values.bin ?? checkout.cli;
const rows = {
  'fixturegen --help': out.row({
    measure: 'fixturegen --help',
    baselineLabel: 'node -e 0',
    target: { kind: 'ratio', max: 2 },
    note: `medians of ${runs} runs, the three commands interleaved`,
  }),
  'fixturegen --version': out.row({ measure: 'fixturegen --version', baselineLabel: 'node -e 0' }),
};
const cases = {
  'node -e 0': ['-e', '0'],
  'fixturegen --version': [bin, '--version'],
  'fixturegen --help': [bin, '--help'],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) {
      out.fail(`${name} exited ${r.status}`);
      out.emit();
      process.exit(1);
    }
    times[name].push(ms);
  }
}
const base = median(times['node -e 0']);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  const extra = name === 'node -e 0' ? '' : ` (+${(m - base).toFixed(0)} ms over node -e 0)`;
  out.log(`${name.padEnd(22)} median ${m.toFixed(0).padStart(4)} ms of ${runs}${extra}`);
  if (rows[name]) Object.assign(rows[name], { fixturegen: m, baseline: base, runs });
}
const helpRatio = median(times['fixturegen --help']) / base;
out.log(
  `fixturegen --help / node -e 0: ${helpRatio.toFixed(2)} (target ≤2: ${helpRatio <= 2 ? 'holds' : 'MISSED'})`,
);
out.emit();
