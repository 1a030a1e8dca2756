import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { modelPart } from '../../src/generate/llm/edge-block.js';
import { readHeader } from '../../src/output/header.js';
import { freshDatabase, pgQuery } from '../support/pg-admin.js';
import { VENV_ENV } from '../support/project.js';
import { REPO, fixturegen } from '../support/python.js';
import { fenced, llmServer, requestsFor, runCli } from './helpers.js';

/**
 * The LLM generator on an async project (`async: true`, aiosqlite; asyncpg on PostgreSQL): the
 * golden project test/cases/async-edge-cases with variants added to its `edge_cases: auto`
 * scenario and a scenario whose list is inserted in bulk. The prompt shows the async contract;
 * the scripted model answers async modules (the builtin modules without their edge-case block),
 * fixturegen appends the async edge-case block, verification passes, and the project's own
 * pytest run runs the edge-case test once per case and awaits the variants and the factory. A
 * sync answer gets FG409 messages that say what to write, and the repaired answer is accepted.
 */

const PROJECT = join(REPO, 'test', 'cases', 'async-edge-cases', 'project');
const NAMES = ['chess_club', 'club_roster', 'league'] as const;
type Name = (typeof NAMES)[number];
const REFUSED = ['chess.dues=-1.00', 'chess.dues=-9999.99'];
const PYTHON = join(REPO, '.venv', 'bin', 'python');

const VARIANTS = `variants:
  gold:
    description: The club on the gold tier.
    entities:
      chess: { values: { tier: gold } }
  crowd:
    entities:
      members: { count: 4 }
  no_key:
    remove: [key]
`;

const ROSTER = `description: A club with sixty members, inserted in bulk.
entities:
  club: { model: Club, values: { name: Roster, dues: "5.00", tier: gold } }
  roster: { model: Member, count: 60, values: { name: "roster{n}", club: "@club" } }
variants:
  short:
    entities:
      roster: { count: 55 }
`;

/** The project's own async tests of the variants, the factory and the bulk scenario. */
const TESTS = `"""Variants, the factory and bulk rows of an async project whose fixtures the model wrote."""

import pytest
from sqlalchemy import func, select

from clubs.models import Club, Member, Tier


@pytest.mark.asyncio(loop_scope="function")
async def test_the_gold_variant(chess_club__gold):
    assert chess_club__gold.chess.tier is Tier.gold


@pytest.mark.asyncio(loop_scope="function")
async def test_a_removed_label_is_none(chess_club__no_key, db_session):
    assert chess_club__no_key.key is None
    assert chess_club__no_key.locker.id is not None


@pytest.mark.asyncio(loop_scope="function")
async def test_the_factory_takes_a_variant_and_overrides(make_chess_club, db_session):
    crowd = await make_chess_club(variant="crowd", chess={"name": "Crowd"})
    assert crowd.chess.name == "Crowd" and len(crowd.members) == 4
    assert await db_session.scalar(select(func.count()).select_from(Member)) == 4


@pytest.mark.asyncio(loop_scope="function")
async def test_the_factory_refuses_an_unknown_label(make_chess_club):
    with pytest.raises(Exception, match="chess"):
        await make_chess_club(chesss={"name": "x"})


@pytest.mark.asyncio(loop_scope="function")
async def test_sixty_members_in_bulk(club_roster, db_session):
    assert len(club_roster.roster) == 60
    assert await db_session.scalar(select(func.count()).select_from(Member)) == 60
    assert await db_session.scalar(select(func.count()).select_from(Club)) == 1


@pytest.mark.asyncio(loop_scope="function")
async def test_the_short_roster(club_roster__short, db_session):
    assert await db_session.scalar(select(func.count()).select_from(Member)) == 55
`;

let baseDir: string;
/** The builtin modules' bodies, and what the model answers: each without its edge-case block. */
let builtin: Record<Name, string>;
let answers: Record<Name, string>;

function copy(from: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-llmasync-'));
  cpSync(from, dir, { recursive: true, filter: (src) => !src.includes('__pycache__') });
  return dir;
}

const bodyOf = (dir: string, name: string): string => {
  const parsed = readHeader(readFileSync(join(dir, 'generated', `${name}.py`), 'utf8'));
  if (!parsed) throw new Error(`no header in generated/${name}.py`);
  return parsed.body;
};

/** What a model that follows a sync prompt writes: the same module without coroutines. */
function syncModule(code: string): string {
  return code
    .replaceAll('async def ', 'def ')
    .replaceAll('await ', '')
    .replaceAll('@pytest_asyncio.fixture(loop_scope="function")', '@pytest.fixture')
    .replace('import pytest_asyncio\n', 'import pytest\n');
}

beforeAll(() => {
  baseDir = copy(PROJECT);
  const chess = join(baseDir, 'scenarios', 'chess_club.yaml');
  writeFileSync(chess, `${readFileSync(chess, 'utf8')}${VARIANTS}`);
  writeFileSync(join(baseDir, 'scenarios', 'club_roster.yaml'), ROSTER);
  writeFileSync(join(baseDir, 'tests', 'test_variants.py'), TESTS);
  writeFileSync(join(baseDir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
  const r = fixturegen(baseDir, ['build'], VENV_ENV);
  if (r.status !== 0) throw new Error(`builtin build failed:\n${r.stdout}\n${r.stderr}`);
  builtin = {} as Record<Name, string>;
  answers = {} as Record<Name, string>;
  for (const name of NAMES) {
    builtin[name] = bodyOf(baseDir, name);
    answers[name] = modelPart(builtin[name]);
  }
}, 240_000);

function useLlm(dir: string, baseUrl: string, maxRepairs: number): void {
  writeFileSync(
    join(dir, 'fixturegen.yaml'),
    [
      'models: clubs.models',
      'scenarios: scenarios',
      'output: generated',
      'async: true',
      'generator: llm',
      'verify: run',
      'verify_timeout_s: 90',
      'llm:',
      `  base_url: ${baseUrl}`,
      '  model: test-model',
      `  max_repairs: ${maxRepairs}`,
      '  timeout_s: 60',
      '',
    ].join('\n'),
  );
}

function runPytest(dir: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(PYTHON, ['-m', 'pytest', '-v', '-p', 'no:cacheprovider', 'tests', 'generated'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

describe('the LLM generator on an async project', () => {
  it('the answers are async modules with variants, a bulk insert and no edge cases', () => {
    expect(answers.chess_club).toContain('async def create_chess_club__crowd(');
    expect(answers.chess_club).toContain(
      '@pytest_asyncio.fixture(loop_scope="function")\nasync def make_chess_club(db_session):',
    );
    expect(answers.club_roster).toContain('    roster = await insert_rows(\n        session,\n');
    for (const name of NAMES) expect(answers[name]).not.toContain('EDGE_CASES');
  });

  it('aiosqlite: the prompt is async, the module gets the async edge-case block, and the project tests run once per case', async () => {
    const server = await llmServer((scenario) => ({ content: fenced(answers[scenario as Name]) }));
    const dir = copy(baseDir);
    rmSync(join(dir, 'generated'), { recursive: true });
    useLlm(dir, server.url, 0);
    const r = await runCli(dir, ['build', '--json'], {}, 300_000);
    expect(r.stderr).not.toMatch(/FG\d{3} error/);
    expect(r.status).toBe(0);
    for (const name of NAMES) {
      const requests = requestsFor(server, name);
      expect(requests).toHaveLength(1);
      const [system, user] = requests[0]!.body.messages.map((m) => m.content);
      // The async contract, and nothing of the sync one.
      expect(system).toContain('`@pytest_asyncio.fixture(loop_scope="function")`');
      expect(system).toContain('async def create_customer_orders(');
      expect(`${system}\n${user}`).not.toMatch(/^def create_|^@pytest\.fixture$/m);
      expect(user).toContain(`async def create_${name}(`);
      const parsed = readHeader(readFileSync(join(dir, 'generated', `${name}.py`), 'utf8'))!;
      expect(parsed.header.generator).toBe('llm');
      // The model's module, then exactly the block the builtin generator writes.
      expect(parsed.body).toBe(builtin[name]);
    }
    const chessPrompt = requestsFor(server, 'chess_club')[0]!.body.messages[1]!.content;
    for (const v of ['gold', 'crowd', 'no_key'])
      expect(chessPrompt).toContain(
        `        return await create_chess_club__${v}(session, overrides=overrides)`,
      );
    const rosterPrompt = requestsFor(server, 'club_roster')[0]!.body.messages[1]!.content;
    expect(rosterPrompt).toContain('roster = await insert_rows(\n    session,\n');
    expect(rosterPrompt).toContain('    overrides,\n    "roster",\n)');
    const written = bodyOf(dir, 'chess_club');
    expect(written).toContain(
      '@pytest_asyncio.fixture(loop_scope="function", params=ACCEPTED_EDGE_CASES)\nasync def chess_club_edge_cases(request, db_session) -> ChessClub:\n',
    );
    // A case leaves rows out: the fixture returns the rows kept.
    expect(written).toContain(
      '    return without_left_out(\n        await create_chess_club(db_session, overrides=EDGE_CASES[request.param]),\n        EDGE_CASES[request.param],\n    )',
    );
    for (const id of REFUSED) expect(written).toContain(`    "${id}",\n`);

    const pytest = runPytest(dir);
    expect(pytest.status, pytest.stdout).toBe(0);
    const listed = spawnSync(
      PYTHON,
      ['-c', 'from generated.chess_club import ACCEPTED_EDGE_CASES as A; print(len(A))'],
      { cwd: dir, encoding: 'utf8' },
    );
    const accepted = Number(listed.stdout.trim());
    expect(accepted).toBeGreaterThan(10);
    const runs = pytest.stdout.match(/test_every_edge_case_creates_a_club\[.*\] PASSED/g);
    expect(runs).toHaveLength(accepted);
    for (const id of REFUSED)
      expect(pytest.stdout).toContain(
        `test_chess_club_constraints.py::test_refused_edge_case[${id}] PASSED`,
      );
    expect(pytest.stdout).toContain('test_the_test_above_ran_once_per_accepted_case PASSED');
    for (const test of [
      'test_the_gold_variant',
      'test_a_removed_label_is_none',
      'test_the_factory_takes_a_variant_and_overrides',
      'test_the_factory_refuses_an_unknown_label',
      'test_sixty_members_in_bulk',
      'test_the_short_roster',
    ])
      expect(pytest.stdout).toContain(`tests/test_variants.py::${test} PASSED`);
    // One instance of a list parent: the model's create_league leaves rows out by index.
    for (const test of [
      'test_the_first_club_of_a_list_with_no_members[clubs[0].members=[]]',
      'test_the_first_locker_of_a_list_with_no_keys[lockers[0].keys=[]]',
    ])
      expect(pytest.stdout).toContain(`tests/test_clubs.py::${test} PASSED`);

    const check = await runCli(dir, ['check'], {}, 120_000);
    expect(check.stdout + check.stderr).not.toMatch(/stale|FG\d{3}/i);
    expect(check.status).toBe(0);
  }, 600_000);

  it('a sync answer gets FG409 messages saying what async code to write; the repaired answer is accepted', async () => {
    const sync = syncModule(answers.chess_club);
    expect(sync).not.toMatch(/async|await/);
    const line = (text: string) => sync.split('\n').indexOf(text) + 1;
    const server = await llmServer((_scenario, round) => ({
      content: fenced(round === 1 ? sync : answers.chess_club),
    }));
    const dir = copy(baseDir);
    useLlm(dir, server.url, 1);
    const r = await runCli(dir, ['build', '--force', 'chess_club', '--json'], {}, 300_000);
    expect(r.stderr).not.toMatch(/FG\d{3} error/);
    expect(r.status).toBe(0);
    const requests = requestsFor(server, 'chess_club');
    expect(requests).toHaveLength(2);
    const repair = requests[1]!.body.messages.at(-1)!.content;
    const create = line('def create_chess_club(');
    expect(repair).toContain(
      `FG409 at line ${create}, column 1: create_chess_club() must be \`async def\` (the configuration says async: true)`,
    );
    expect(repair).toContain(`  line ${create}: def create_chess_club(`);
    // The hint says what to write instead: the coroutine, and what it awaits.
    expect(repair).toMatch(
      /hint: write `async def create_chess_club\(`.*`await session\.flush\(\)`/,
    );
    const fixture = line('def chess_club__gold(db_session) -> ChessClub:');
    expect(repair).toContain(
      `FG409 at line ${fixture}, column 1: chess_club__gold() must be \`async def\``,
    );
    expect(repair).toMatch(
      /hint: write `@pytest_asyncio\.fixture\(loop_scope="function"\)` and `async def chess_club__gold\(`, returning `await create_chess_club\(/,
    );
    const json = JSON.parse(r.stdout) as {
      scenarios: { name: string; llm: { rounds: number; result: string; lastErrors: string[] } }[];
    };
    expect(json.scenarios.find((s) => s.name === 'chess_club')!.llm).toMatchObject({
      rounds: 2,
      result: 'accepted',
      lastErrors: ['FG409'],
    });
    expect(bodyOf(dir, 'chess_club')).toBe(builtin.chess_club);
  }, 300_000);

  it('asyncpg on PostgreSQL: verified with the async block, and the project tests pass', async (ctx) => {
    const url = inject('pgUrl');
    if (!url) ctx.skip();
    const name = 'fg_llm_async';
    const base = freshDatabase(url, name, 'asyncpg');
    const server = await llmServer((scenario) => ({ content: fenced(answers[scenario as Name]) }));
    const dir = copy(baseDir);
    try {
      rmSync(join(dir, 'generated'), { recursive: true });
      useLlm(dir, server.url, 0);
      const env = { FIXTUREGEN_DATABASE_URL: base };
      const r = await runCli(dir, ['build'], env, 300_000);
      expect(r.stderr).not.toMatch(/FG\d{3} error/);
      expect(r.status).toBe(0);
      for (const name of NAMES) expect(requestsFor(server, name)).toHaveLength(1);
      const written = bodyOf(dir, 'chess_club');
      expect(modelPart(written)).toBe(answers.chess_club);
      // PostgreSQL's INTEGER bounds: the block is the plan's for this database.
      expect(written).toContain('"locker.number=2147483647"');
      for (const id of REFUSED) expect(written).toContain(`    "${id}",\n`);
      const pytest = runPytest(dir, env);
      expect(pytest.status, pytest.stdout).toBe(0);
      expect(pytest.stdout).toContain('test_the_test_above_ran_once_per_accepted_case PASSED');
      expect(pytest.stdout).toContain('tests/test_variants.py::test_sixty_members_in_bulk PASSED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      pgQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  }, 600_000);
});
