/**
 * async: true on a project whose tests use AsyncSession: the output is verified with the async
 * driver (aiosqlite by default, asyncpg and psycopg's async mode on PostgreSQL), and the project's
 * own async tests pass with it, also under pytest-xdist.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databasesLike, freshDatabase, pgQuery } from '../support/pg-admin.js';
import { VENV_ENV, snapshot } from '../support/project.js';
import { REPO, fixturegen, pytest } from '../support/python.js';

function asyncProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-async-'));
  cpSync(join(REPO, 'test', 'cases', 'async-session', 'project'), dir, {
    recursive: true,
    filter: (p) => !p.includes('__pycache__'),
  });
  writeFileSync(join(dir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
  return dir;
}

/** Files with the headers' database record and the hashes derived from it masked. */
function onDatabase(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files).map(([k, v]) => [
      k,
      v
        .replace(/ input=[0-9a-f]+/, ' input=…')
        .replace(/ extends=[0-9a-f]+/, ' extends=…')
        .replace(/ database=[0-9a-f]+/, ' database=…'),
    ]),
  );
}

// Each test runs pytest (with xdist workers) more than once: minutes on a loaded machine.
describe('async output', { timeout: 400_000 }, () => {
  let dir: string;
  let built: Record<string, string>;

  beforeAll(() => {
    dir = asyncProject();
    const r = fixturegen(dir, ['build'], VENV_ENV);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    built = snapshot(join(dir, 'generated'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes async create functions and pytest-asyncio fixtures', () => {
    const module = built['authors.py']!;
    expect(module).toContain('async def create_authors(');
    expect(module).toContain(
      '        shelf = await create_shelf(\n            session,\n            overrides=parent_overrides(overrides, generated_shelf_Shelf),\n        )',
    );
    // Variants and the factory fixture are async too: the dispatch awaits the variant's create.
    expect(module).toContain('        return await create_authors__no_books(');
    expect(module).toContain('async def create_authors__two_authors(');
    expect(module).toContain(
      '@pytest_asyncio.fixture(loop_scope="function")\nasync def make_authors(db_session):',
    );
    expect(module).toContain('        await session.flush()');
    expect(module).toContain(
      '@pytest_asyncio.fixture(loop_scope="function")\nasync def authors(db_session, shelf) -> Authors:',
    );
    const init = built['__init__.py']!;
    expect(init).toContain('DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///:memory:"');
    expect(init).toContain('@pytest_asyncio.fixture(scope="session", loop_scope="session")');
    expect(init).toContain('join_transaction_mode="create_savepoint"');
  });

  it("the project's async tests pass on aiosqlite, also with pytest -n 2", () => {
    const r = pytest(dir, ['tests']);
    expect(r.stdout).toMatch(/9 passed/);
    expect(r.status).toBe(0);
    const x = pytest(dir, ['-n', '2', 'tests']);
    expect(x.stdout).toMatch(/9 passed/);
    expect(x.status).toBe(0);
  });

  it('an SQLite file under pytest -n 2: a file per worker, removed at the end', () => {
    const file = 'sqlite+aiosqlite:///library.db';
    const r = pytest(dir, ['-n', '2', 'tests'], { FIXTUREGEN_DATABASE_URL: file });
    expect(r.stdout).toMatch(/9 passed/);
    expect(r.status).toBe(0);
    expect(readdirSync(dir).filter((n) => n.startsWith('library'))).toEqual(['library']);
  });

  for (const driver of ['asyncpg', 'psycopg']) {
    it(`PostgreSQL with ${driver}: verified, then the tests pass, also with -n 2`, (ctx) => {
      const url = inject('pgUrl');
      if (!url) ctx.skip();
      const name = `fg_async_${driver}`;
      const base = freshDatabase(url, name, driver);
      try {
        const env = { ...VENV_ENV, FIXTUREGEN_DATABASE_URL: base };
        const verified = fixturegen(dir, ['build', '--force'], env);
        expect(verified.stderr).toBe('');
        expect(verified.stdout).toMatch(/\s+authors\s+generated\/authors\.py/);
        expect(verified.status).toBe(0);
        // The same code: only the headers' record of the database (and what derives from it) differs.
        expect(onDatabase(snapshot(join(dir, 'generated')))).toEqual(onDatabase(built));
        const r = pytest(dir, ['tests'], { FIXTUREGEN_DATABASE_URL: base });
        expect(r.stdout).toMatch(/9 passed/);
        expect(r.status).toBe(0);
        const x = pytest(dir, ['-n', '2', 'tests'], { FIXTUREGEN_DATABASE_URL: base });
        expect(x.stdout).toMatch(/9 passed/);
        expect(x.status).toBe(0);
        expect(databasesLike(url, name)).toEqual([name]);
      } finally {
        // Back to the SQLite-verified files the other tests expect.
        fixturegen(dir, ['build'], VENV_ENV);
        pgQuery(url, `DROP DATABASE IF EXISTS fg_async_${driver} WITH (FORCE)`);
      }
    });
  }

  it('async is part of what decides whether a file is current', () => {
    const config = join(dir, 'fixturegen.yaml');
    const before = readFileSync(config, 'utf8');
    try {
      writeFileSync(config, before.replace(/^async: true$/m, 'async: false'));
      const r = fixturegen(dir, ['check'], VENV_ENV);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(
        /stale\s+generated\/authors\.py is stale: .*the output package, session_fixture or async changed in the configuration/,
      );
    } finally {
      writeFileSync(config, before);
    }
    expect(fixturegen(dir, ['check'], VENV_ENV).status).toBe(0);
  });

  it('a sync driver in database_url is FG620 at its line; the LLM generator is accepted', () => {
    const other = asyncProject();
    try {
      writeFileSync(
        join(other, 'fixturegen.yaml'),
        'models: library.models\nasync: true\ndatabase_url: "sqlite:///app.db"\n',
      );
      const r = fixturegen(other, ['build'], VENV_ENV);
      expect(r.status).not.toBe(0);
      expect(r.stderr + r.stdout).toContain(
        'fixturegen.yaml:3:1: FG620 async: true needs an async driver in database_url; sqlite:///app.db uses pysqlite',
      );
      expect(r.stderr + r.stdout).toContain('use sqlite+aiosqlite:///app.db');
      // The LLM generator writes async output too (test/llm-e2e/async.test.ts): the configuration
      // is accepted, and `prompt` shows the model the async contract without asking a server.
      writeFileSync(
        join(other, 'fixturegen.yaml'),
        'models: library.models\nasync: true\ngenerator: llm\nllm:\n  base_url: http://127.0.0.1:9/v1\n  model: m\n',
      );
      const l = fixturegen(other, ['prompt', 'shelf'], VENV_ENV);
      expect(l.stderr).not.toMatch(/FG6\d\d/);
      expect(l.stdout).toContain('async def create_shelf(session');
      expect(l.status).toBe(0);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

/**
 * async: true with `edge_cases: auto` (the golden project test/cases/async-edge-cases) on
 * PostgreSQL with asyncpg: the async constraint tests and the edge-case probe verify on the
 * database, the project's pytest runs them and the `chess_club_edge_cases` fixture once per case.
 */
describe('async output with derived edge cases on PostgreSQL', { timeout: 400_000 }, () => {
  it('asyncpg: verified, the constraint tests and every edge case pass, check is clean', (ctx) => {
    const url = inject('pgUrl');
    if (!url) ctx.skip();
    const dir = mkdtempSync(join(tmpdir(), 'fixturegen-async-edge-'));
    cpSync(join(REPO, 'test', 'cases', 'async-edge-cases', 'project'), dir, {
      recursive: true,
      filter: (p) => !p.includes('__pycache__'),
    });
    writeFileSync(join(dir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
    const name = 'fg_async_edge';
    const base = freshDatabase(url, name, 'asyncpg');
    try {
      const env = { ...VENV_ENV, FIXTUREGEN_DATABASE_URL: base };
      const built = fixturegen(dir, ['build'], env);
      expect(built.stderr).toBe('');
      expect(built.stdout).toMatch(
        /constraint tests in generated\/test_chess_club_constraints\.py/,
      );
      expect(built.status).toBe(0);
      const tests = readFileSync(join(dir, 'generated', 'test_chess_club_constraints.py'), 'utf8');
      expect(tests).toContain(
        '@pytest.mark.asyncio(loop_scope="function")\nasync def test_delete_chess_orm(chess_club, db_session):',
      );
      expect(tests).toContain(
        '    with pytest.raises(IntegrityError):\n        async with db_session.begin_nested():\n            await db_session.delete(data.locker)',
      );
      const module = readFileSync(join(dir, 'generated', 'chess_club.py'), 'utf8');
      const refused = /REFUSED_EDGE_CASES = \(\n((?: {4}".*",\n)*)\)/.exec(module);
      expect(refused).not.toBeNull();
      const ids = [...refused![1]!.matchAll(/"(.*)"/g)].map((m) => m[1]);
      // The CHECK on dues, as on SQLite (the integer cases are PostgreSQL's INTEGER bounds).
      expect(ids).toEqual(['chess.dues=-1.00', 'chess.dues=-9999.99']);
      expect(module).toContain('"locker.number=2147483647"');
      const cases = (module.match(/^ {4}"[^"]+": \{/gm) ?? []).length;
      const r = pytest(dir, ['-vv', 'tests', 'generated/test_chess_club_constraints.py'], {
        FIXTUREGEN_DATABASE_URL: base,
      });
      expect(r.status).toBe(0);
      // Once per accepted case (the project's test asserts which), once per refused case.
      const accepted = r.stdout.match(/test_every_edge_case_creates_a_club\[.*\] PASSED/g) ?? [];
      expect(accepted.length).toBe(cases - ids.length);
      const again = r.stdout.match(/test_refused_edge_case\[.*\] PASSED/g) ?? [];
      expect(again.length).toBe(ids.length);
      expect(r.stdout).toMatch(/test_delete_members_0_sql PASSED/);
      expect(r.stdout).toMatch(/test_check_club_dues PASSED/);
      // Zero members through their NOT NULL key: left out, with the locker and its key.
      expect(module).toContain(
        '"chess.members=[]": {"members": None, "locker": None, "key": None},',
      );
      expect(r.stdout).toContain('test_a_club_with_no_members[chess.members=[]] PASSED');
      // One instance of a list parent: the first club's members, lockers and keys left out.
      expect(r.stdout).toContain(
        'test_the_first_club_of_a_list_with_no_members[clubs[0].members=[]] PASSED',
      );
      expect(r.stdout).toContain(
        'test_the_first_locker_of_a_list_with_no_keys[lockers[0].keys=[]] PASSED',
      );
      const check = fixturegen(dir, ['check'], env);
      expect(check.stdout + check.stderr).toMatch(
        /generated\/ is exactly what the current inputs give/,
      );
      expect(check.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      pgQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });
});

describe('async constraint tests with session_fixture', { timeout: 400_000 }, () => {
  it('request the configured fixture, and verify with it (the probe too)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fixturegen-async-own-'));
    cpSync(join(REPO, 'test', 'cases', 'async-edge-cases', 'project'), dir, {
      recursive: true,
      filter: (p) => !p.includes('__pycache__'),
    });
    try {
      const config = join(dir, 'fixturegen.yaml');
      writeFileSync(config, `${readFileSync(config, 'utf8')}session_fixture: my_session\n`);
      const r = fixturegen(dir, ['build'], VENV_ENV);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/16 edge cases in generated\/chess_club\.py/);
      expect(r.status).toBe(0);
      const tests = readFileSync(join(dir, 'generated', 'test_chess_club_constraints.py'), 'utf8');
      expect(tests).toContain('async def test_delete_locker_orm(chess_club, my_session):');
      expect(tests).toContain('            await create_chess_club(my_session, overrides=');
      expect(tests).not.toContain('db_session');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
