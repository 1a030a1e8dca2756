#!/usr/bin/env node
// Lint, format and type checks of python/ (the helper and its tests), with the tools pinned in
// python/requirements-dev.txt and configured in python/ruff.toml and python/mypy.ini. Exits
// non-zero on any finding; run by `npm run lint` and by the full `npm test` (so by `.ci/run`).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const python = join(root, '.venv', 'bin', 'python');
const checks = [
  { args: ['-m', 'ruff', 'check', '--no-fix', 'python'], cwd: root },
  { args: ['-m', 'ruff', 'format', '--check', 'python'], cwd: root },
  // From python/, where mypy.ini names the files it checks.
  { args: ['-m', 'mypy'], cwd: join(root, 'python') },
];

let failed = 0;
for (const { args, cwd } of checks) {
  const r = spawnSync(python, args, {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', NO_COLOR: '1' },
  });
  if (r.status !== 0) {
    failed += 1;
    console.error(`lint-python: ${args.slice(1).join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
