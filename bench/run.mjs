// `npm run bench`: every benchmark in this folder (bench/*.mjs but this one), in name order, each
// in its own Node process with its default arguments. `npm run bench` builds dist/ first.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n== ${file}`);
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(file, import.meta.url))], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed += 1;
}
process.exitCode = failed > 0 ? 1 : 0;
