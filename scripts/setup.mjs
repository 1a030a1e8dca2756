#!/usr/bin/env node
// Brings a fresh clone to a runnable state: npm dependencies, the compiled CLI and the Python
// virtual environment. Each step is skipped when its stamp says the inputs did not change, so
// running it before every command costs a few milliseconds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stampDir = join(root, '.fixturegen', 'setup');
mkdirSync(stampDir, { recursive: true });

function run(cmd, args, what) {
  process.stderr.write(`setup: ${what}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write(`setup: ${what} failed (${cmd} ${args.join(' ')})\n`);
    process.exit(r.status ?? 1);
  }
}

function hashFiles(paths) {
  const h = createHash('sha256');
  for (const p of paths) {
    h.update(p);
    h.update(existsSync(p) ? readFileSync(p) : '');
  }
  return h.digest('hex');
}

function listTree(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTree(p));
    else out.push(p);
  }
  return out.sort();
}

function step(name, inputs, isPresent, action) {
  const stamp = join(stampDir, name);
  const digest = hashFiles(inputs);
  if (isPresent() && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;
  action();
  writeFileSync(stamp, digest);
}

step(
  'npm',
  [join(root, 'package-lock.json')],
  () => existsSync(join(root, 'node_modules', '.package-lock.json')),
  () =>
    run(
      'npm',
      ['ci', '--no-audit', '--no-fund', '--ignore-scripts'],
      'installing npm dependencies',
    ),
);

const srcFiles = listTree(join(root, 'src'));
step(
  'build',
  [join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json'), ...srcFiles],
  () => existsSync(join(root, 'dist', 'cli', 'main.js')),
  () =>
    run(
      join(root, 'node_modules', '.bin', 'tsc'),
      ['-p', 'tsconfig.build.json'],
      'compiling TypeScript',
    ),
);

const venvPython = join(root, '.venv', 'bin', 'python');
// requirements-dev.txt: the formatters and linter the generated code is checked against.
step(
  'venv',
  [join(root, 'python', 'requirements.txt'), join(root, 'python', 'requirements-dev.txt')],
  () => existsSync(venvPython),
  () => {
    if (!existsSync(venvPython)) {
      const py = process.env.PYTHON ?? 'python3';
      run(py, ['-m', 'venv', join(root, '.venv')], 'creating .venv');
    }
    run(
      venvPython,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '-r',
        'python/requirements.txt',
        '-r',
        'python/requirements-dev.txt',
      ],
      'installing Python requirements into .venv',
    );
  },
);

// The other SQLAlchemy versions the tests run on (docs/development.md): 1.4 (the golden cases
// written for it, its PostgreSQL driver), 2.1 (requirements.txt, then the newer SQLAlchemy over it)
// and 1.3, which is not supported (the message saying so). Each is made only when missing or when
// its requirements changed, like .venv.
function extraVenv(name, requirements, { env = {} } = {}) {
  const dir = join(root, name);
  const python = join(dir, 'bin', 'python');
  const files = requirements.flat();
  step(
    name,
    files.map((f) => join(root, 'python', f)),
    () => existsSync(python),
    () => {
      if (!existsSync(python)) {
        const py = process.env.PYTHON ?? 'python3';
        run(py, ['-m', 'venv', dir], `creating ${name}`);
      }
      // One pip run per group: a later group's pins override an earlier one's.
      for (const group of requirements) {
        process.stderr.write(`setup: installing ${group.join(', ')} into ${name}\n`);
        const r = spawnSync(
          python,
          [
            '-m',
            'pip',
            'install',
            '--quiet',
            '--disable-pip-version-check',
            ...group.flatMap((f) => ['-r', `python/${f}`]),
          ],
          { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } },
        );
        if (r.status !== 0) {
          process.stderr.write(`setup: installing into ${name} failed\n`);
          process.exit(r.status ?? 1);
        }
      }
    },
  );
}

extraVenv('.venv-sa14', [['requirements-sa14.txt']]);
extraVenv('.venv-sa21', [['requirements.txt'], ['requirements-sa21.txt']]);
extraVenv('.venv-sa13', [['requirements-sa13.txt']], { env: { DISABLE_SQLALCHEMY_CEXT: '1' } });

// The CLI must exist once set-up is done; a vanished build fails here rather than later.
statSync(join(root, 'dist', 'cli', 'main.js'));
