#!/usr/bin/env node
// npm runs `prepare` when it packs fixturegen and when it installs it from git or from a folder.
// The CLI runs from dist/, which is not committed, so it is compiled here. A bare clone installed
// from a path has no TypeScript yet: its locked dependencies are installed first (scripts off, so
// this does not run again).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function run(cmd, args, what) {
  process.stderr.write(`fixturegen prepare: ${what}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write(`fixturegen prepare: ${what} failed (${cmd} ${args.join(' ')})\n`);
    process.exit(r.status ?? 1);
  }
}

if (!existsSync(tsc)) {
  run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], 'installing build tools');
}
run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], 'compiling the CLI into dist/');
