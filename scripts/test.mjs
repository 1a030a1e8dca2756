#!/usr/bin/env node
// The whole test suite: vitest (TypeScript units, golden cases, end to end against real pytest,
// SQLite and PostgreSQL), then pytest over the Python helper's own tests. Prints one closing line
// `tests: N passed, N failed` counting both; the full run also runs scripts/lint-python.mjs. Extra
// arguments go to vitest.
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
if (process.argv.length <= 2) {
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

// The full run (so `.ci/run`) also holds python/ to its linters and type checks; their findings
// print above the closing line and fail the run without counting as tests.
let lintStatus = 0;
if (process.argv.length <= 2) {
  const lint = spawnSync(process.execPath, [join(root, 'scripts', 'lint-python.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  lintStatus = lint.status ?? 1;
  if (lintStatus !== 0) console.error('test: python/ lint, format or type check failed');
}

const ok = vitest.status === 0 && pytestStatus === 0 && lintStatus === 0 && failed === 0;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
