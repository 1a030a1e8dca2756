#!/usr/bin/env node
// The whole test suite: the linters (`npm run lint`: type-checked eslint, prettier --check, tsc),
// vitest (TypeScript units, golden cases, end to end against real pytest, SQLite and PostgreSQL),
// then pytest over the Python helper's own tests. Prints one closing line `tests: N passed, N failed`
// counting both test runners; a lint finding fails the run and counts as one failure. Extra
// arguments go to vitest and skip the linters and pytest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.fixturegen', 'test-results');
mkdirSync(out, { recursive: true });
const vitestJson = join(out, 'vitest.json');
const pytestXml = join(out, 'pytest.xml');
rmSync(vitestJson, { force: true });
rmSync(pytestXml, { force: true });
const fullRun = process.argv.length <= 2;

// The linters first, so CI (`.ci/run` runs `npm test`) fails on a finding; the tests still run.
let lintStatus = 0;
if (fullRun) {
  const lint = spawnSync('npm', ['run', '--silent', 'lint'], { cwd: root, stdio: 'inherit' });
  lintStatus = lint.status ?? 1;
  if (lintStatus !== 0) console.error('test: `npm run lint` found problems (see above)');
}

const vitest = spawnSync(
  join(root, 'node_modules', '.bin', 'vitest'),
  [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${vitestJson}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
if (existsSync(vitestJson)) {
  const report = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
} else {
  failed += 1;
  console.error('test: vitest wrote no report');
}

// Only the full run includes the Python tests; `npm test -- test/watch` runs just that folder.
let pytestStatus = 0;
if (fullRun) {
  const pytest = spawnSync(
    join(root, '.venv', 'bin', 'python'),
    ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', `--junitxml=${pytestXml}`, 'python/tests'],
    { cwd: root, stdio: 'inherit', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
  );
  pytestStatus = pytest.status ?? 1;
  // Exit 5 means pytest collected nothing: the helper's tests went missing, which is a failure.
  if (pytestStatus === 5) console.error('test: pytest collected no tests in python/tests');
  if (existsSync(pytestXml)) {
    const xml = readFileSync(pytestXml, 'utf8');
    const attr = (name) =>
      Number(new RegExp(`<testsuite[^>]* ${name}="(\\d+)"`).exec(xml)?.[1] ?? 0);
    const total = attr('tests');
    const bad = attr('failures') + attr('errors');
    passed += total - bad - attr('skipped');
    failed += bad;
  }
}

if (lintStatus !== 0) failed += 1;
const ok = lintStatus === 0 && vitest.status === 0 && pytestStatus === 0 && failed === 0;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
