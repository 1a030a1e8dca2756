/**
 * A new user's project, driven as its user would drive it: `npm install -D <fixturegen>`, then
 * `npx fixturegen init`, `build`, `pytest`, `check` from its own folder. Its Python environment is
 * the repository's .venv (python/requirements.txt) activated through VIRTUAL_ENV and PATH: a fresh
 * venv with the same pins costs about a minute of pip per test on a loaded machine.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { expect } from 'vitest';
import { REPO } from '../support/python.js';
import type { RunResult } from '../support/python.js';

const VENV = join(REPO, '.venv');

const MODELS = `from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    orders: Mapped[list[Order]] = relationship(back_populates="customer")


class Order(Base):
    __tablename__ = "purchase_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    total_cents: Mapped[int]
    customer: Mapped[Customer] = relationship(back_populates="orders")
`;

const TEST = `def test_example_row_exists(example, db_session):
    assert example.first.id is not None
    assert db_session.get(type(example.first), example.first.id) is example.first
`;

/** The environment of a shell with the project's venv activated, and none of npm's own variables
 * (vitest may run under `npm test`, whose npm_* settings must not leak into the user's npm). */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith('npm_') && k !== 'INIT_CWD') env[k] = v;
  }
  env.VIRTUAL_ENV = VENV;
  env.PATH = [join(VENV, 'bin'), process.env.PATH ?? ''].join(delimiter);
  env.NO_COLOR = '1';
  env.PYTHONDONTWRITEBYTECODE = '1';
  return env;
}

export function sh(cwd: string, cmd: string, args: string[], timeout = 300_000): RunResult {
  const r = spawnSync(cmd, args, { cwd, env: userEnv(), encoding: 'utf8', timeout });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** An empty npm project with a small SQLAlchemy model package (`shop.models`) and one test. */
export function userProject(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'package.json'), '{ "name": "shop", "private": true }\n');
  mkdirSync(join(dir, 'shop'));
  writeFileSync(join(dir, 'shop', '__init__.py'), '');
  writeFileSync(join(dir, 'shop', 'models.py'), MODELS);
  mkdirSync(join(dir, 'tests'));
  writeFileSync(join(dir, 'tests', 'test_shop.py'), TEST);
  return dir;
}

/** The working tree as a git repository of its own: what a clone of it would hold, with the
 * changes not committed yet (git ls-files: tracked and new files, nothing ignored). */
export function gitSnapshot(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const files = spawnSync('git', ['ls-files', '-z', '-co', '--exclude-standard'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  expect(files.status, files.stderr).toBe(0);
  for (const rel of files.stdout.split('\0').filter(Boolean)) {
    try {
      cpSync(join(REPO, rel), join(dir, rel));
    } catch (err) {
      // A tracked file deleted in the working tree is not part of the snapshot.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  };
  git('init', '-q');
  git('add', '-A');
  git(
    '-c',
    'user.name=fixturegen test',
    '-c',
    'user.email=test@127.0.0.1',
    'commit',
    '-qm',
    'snapshot',
  );
  return dir;
}

/** `npm install -D <spec>` in `dir`, from npm's cache where it can (CI may reach the registry). */
export function npmInstall(dir: string, spec: string): void {
  const r = sh(dir, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '-D', spec]);
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
}

/**
 * `npx fixturegen init` as the user types it; its example scenario's modeline goes through the
 * project's own node_modules, the same path on every clone of the project. Returns the example.
 */
export function initAsUser(dir: string): string {
  const init = sh(dir, 'npx', ['fixturegen', 'init', '--models', 'shop.models']);
  expect(init.status, init.stderr).toBe(0);
  expect(init.stderr).not.toContain('points outside this project');
  const example = readFileSync(join(dir, 'scenarios', 'example.yaml'), 'utf8');
  expect(example.split('\n')[0]).toBe(
    '# yaml-language-server: $schema=../node_modules/fixturegen/schemas/scenario.schema.json',
  );
  return example;
}

/** init → build → pytest → check, each as the user types it, asserting what each must show. */
export function initBuildTestCheck(dir: string): void {
  expect(initAsUser(dir)).toContain('model: Customer');

  const build = sh(dir, 'npx', ['fixturegen', 'build']);
  expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
  expect(readFileSync(join(dir, 'generated', 'example.py'), 'utf8')).toContain('def example(');

  const test = sh(dir, 'pytest', ['-q', '-p', 'no:cacheprovider']);
  expect(test.status, `${test.stdout}\n${test.stderr}`).toBe(0);
  expect(test.stdout).toMatch(/\b1 passed\b/);

  const check = sh(dir, 'npx', ['fixturegen', 'check']);
  expect(check.status, `${check.stdout}\n${check.stderr}`).toBe(0);
}

/** fixturegen installed from this checkout as `npm install -D <path>` installs a folder: linked. */
export function linkInstall(dir: string): void {
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(REPO, join(dir, 'node_modules', 'fixturegen'));
  symlinkSync('../fixturegen/bin/fixturegen.js', join(dir, 'node_modules', '.bin', 'fixturegen'));
}
