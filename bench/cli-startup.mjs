// Start-up time of `fixturegen --version` and `fixturegen --help` next to `node -e 0`, each the
// median of --runs (default 10) runs interleaved in the same loop, so that machine load hits all
// three alike. Run `npm run build` first. Usage: node bench/cli-startup.mjs [--runs N] [--bin PATH]
// (--bin: another build's bin/fixturegen.js, e.g. an older commit's, to compare in the same run)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const at = process.argv.indexOf('--runs');
const runs = at > 0 ? Number(process.argv[at + 1]) : 10;
const binAt = process.argv.indexOf('--bin');
const bin =
  binAt > 0
    ? process.argv[binAt + 1]
    : fileURLToPath(new URL('../bin/fixturegen.js', import.meta.url));
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
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}`);
    times[name].push(ms);
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(times['node -e 0']);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  const extra = name === 'node -e 0' ? '' : ` (+${(m - base).toFixed(0)} ms over node -e 0)`;
  console.log(`${name.padEnd(22)} median ${m.toFixed(0).padStart(4)} ms of ${runs}${extra}`);
}
const helpRatio = median(times['fixturegen --help']) / base;
console.log(
  `fixturegen --help / node -e 0: ${helpRatio.toFixed(2)} (target ≤2: ${helpRatio <= 2 ? 'holds' : 'MISSED'})`,
);
