import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelPart } from '../../src/generate/llm/edge-block.js';
import { readHeader } from '../../src/output/header.js';
import { VENV_ENV } from '../support/project.js';
import { REPO, fixturegen } from '../support/python.js';
import { fenced, llmServer, requestsFor, runCli } from './helpers.js';

/**
 * The LLM generator on scenarios with derived edge cases (test/cases/edge-cases, `edge_cases:
 * auto`): the scripted model answers the builtin module without its edge-case block, fixturegen
 * appends the block, and the real pipeline probes every case on SQLite (a CHECK constraint refuses
 * two of them), writes the refused ones as constraint tests, and `check` agrees afterwards.
 */

const PROJECT = join(REPO, 'test', 'cases', 'edge-cases', 'project');
const NAMES = ['chess_club', 'club_options', 'league'] as const;
type Name = (typeof NAMES)[number];
const REFUSED = ['chess.dues=-1.00', 'chess.dues=-9999.99'];

let baseDir: string;
/** The builtin modules' bodies, and what the model answers: each without its edge-case block. */
let builtin: Record<Name, string>;
let answers: Record<Name, string>;
let builtinTests: string;

function copy(from: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-llmedge-'));
  cpSync(from, dir, { recursive: true, filter: (src) => !src.includes('__pycache__') });
  return dir;
}

const bodyOf = (dir: string, name: string): string => {
  const parsed = readHeader(readFileSync(join(dir, 'generated', `${name}.py`), 'utf8'));
  if (!parsed) throw new Error(`no header in generated/${name}.py`);
  return parsed.body;
};

beforeAll(() => {
  baseDir = copy(PROJECT);
  rmSync(join(baseDir, 'scenarios', 'wrong_options.yaml')); // its diagnostics are the point
  writeFileSync(join(baseDir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
  const r = fixturegen(baseDir, ['build'], VENV_ENV);
  if (r.status !== 0) throw new Error(`builtin build failed:\n${r.stdout}\n${r.stderr}`);
  builtin = {} as Record<Name, string>;
  answers = {} as Record<Name, string>;
  for (const name of NAMES) {
    builtin[name] = bodyOf(baseDir, name);
    answers[name] = modelPart(builtin[name]);
  }
  builtinTests = readHeader(
    readFileSync(join(baseDir, 'generated', 'test_chess_club_constraints.py'), 'utf8'),
  )!.body;
}, 240_000);

function useLlm(dir: string, baseUrl: string, maxRepairs: number): void {
  writeFileSync(
    join(dir, 'fixturegen.yaml'),
    [
      'models: clubs.models',
      'scenarios: scenarios',
      'output: generated',
      'generator: llm',
      'verify: run',
      'verify_timeout_s: 60',
      'llm:',
      `  base_url: ${baseUrl}`,
      '  model: test-model',
      `  max_repairs: ${maxRepairs}`,
      '  timeout_s: 60',
      '',
    ].join('\n'),
  );
}

describe('derived edge cases of a module the model wrote', () => {
  it('the answers hold no edge cases: the builtin modules without their block', () => {
    for (const name of NAMES) {
      expect(answers[name]).not.toContain('EDGE_CASES');
      expect(answers[name]).not.toContain(`${name}_edge_cases`);
      expect(answers[name].length).toBeLessThan(builtin[name].length);
    }
  });

  it('fixturegen appends the cases, probes them, writes the refused ones as constraint tests, pytest runs one test per case, check is clean', async () => {
    const server = await llmServer((scenario) => ({ content: fenced(answers[scenario as Name]) }));
    const dir = copy(baseDir);
    // No previous output: the module records no refusals yet, so the probe's two refusals make
    // fixturegen append the block again with them (without asking the model again).
    rmSync(join(dir, 'generated'), { recursive: true });
    useLlm(dir, server.url, 0);
    const r = await runCli(dir, ['build', '--json'], {}, 240_000);
    expect(r.stderr).not.toMatch(/FG\d{3} error/); // FG280 warnings are the models' findings
    expect(r.status).toBe(0);
    for (const name of NAMES) {
      expect(requestsFor(server, name)).toHaveLength(1);
      const parsed = readHeader(readFileSync(join(dir, 'generated', `${name}.py`), 'utf8'))!;
      expect(parsed.header.generator).toBe('llm');
      // The model's module, then exactly the block the builtin generator writes.
      expect(parsed.body).toBe(builtin[name]);
    }
    const written = bodyOf(dir, 'chess_club');
    for (const id of REFUSED) expect(written).toContain(`    "${id}",\n`);
    // Zero boards through their NOT NULL key: the model's create_chess_club leaves them out
    // through apply_overrides, probed at build time like every case.
    expect(written).toContain('    "chess.boards=[]": {"boards": None, "games": None},\n');
    // The prompt does not carry the cases: fixturegen writes them.
    const prompt = requestsFor(server, 'chess_club')[0]!.body.messages.map((m) => m.content);
    expect(prompt.join('\n')).not.toContain('chess.dues=-1.00');
    // The refused cases are constraint tests, as with the builtin generator.
    const tests = readHeader(
      readFileSync(join(dir, 'generated', 'test_chess_club_constraints.py'), 'utf8'),
    )!.body;
    expect(tests).toBe(builtinTests);
    expect(tests).toContain('@pytest.mark.parametrize("case", REFUSED_EDGE_CASES)');
    const json = JSON.parse(r.stdout) as { scenarios: { name: string; notes: string[] }[] };
    const notes = json.scenarios.find((s) => s.name === 'chess_club')!.notes.join('\n');
    expect(notes).toMatch(
      /\d+ edge cases in generated\/chess_club\.py \(fixture chess_club_edge_cases\) \(2 refused by the database: constraint tests\)/,
    );

    // The project's own tests: one run of the edge-case test per accepted case, refused ones
    // pinned by the constraint tests.
    const pytest = spawnSync(
      join(REPO, '.venv', 'bin', 'python'),
      ['-m', 'pytest', '-v', '-p', 'no:cacheprovider', 'tests', 'generated'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(pytest.status, pytest.stdout).toBe(0);
    const listed = spawnSync(
      join(REPO, '.venv', 'bin', 'python'),
      ['-c', 'from generated.chess_club import ACCEPTED_EDGE_CASES as A; print(len(A))'],
      { cwd: dir, encoding: 'utf8' },
    );
    const accepted = Number(listed.stdout.trim());
    const runs = pytest.stdout.match(/test_every_edge_case_creates_a_club\[.*\] PASSED/g);
    expect(runs).toHaveLength(accepted);
    expect(accepted).toBeGreaterThan(10);
    for (const id of REFUSED) {
      expect(pytest.stdout).not.toContain(`test_every_edge_case_creates_a_club[${id}]`);
      expect(pytest.stdout).toContain(
        `test_chess_club_constraints.py::test_refused_edge_case[${id}] PASSED`,
      );
    }
    expect(pytest.stdout).toContain('test_the_test_above_ran_once_per_accepted_case PASSED');
    expect(pytest.stdout).toContain('test_a_club_with_no_boards[chess.boards=[]] PASSED');
    // One instance of a list parent: the model's create_league leaves out the rows by index.
    expect(bodyOf(dir, 'league')).toContain(
      '    "clubs[0].boards=[]": {"boards": {0: None, 2: None}, "games": {0: None, 2: None}},\n',
    );
    expect(pytest.stdout).toContain(
      'test_the_first_club_of_a_list_with_no_boards[clubs[0].boards=[]] PASSED',
    );

    // check reads the refusals back from the model's module: nothing stale, no request.
    const before = server.requests.length;
    const check = await runCli(dir, ['check'], {}, 120_000);
    expect(check.stdout + check.stderr).not.toMatch(/stale|FG\d{3}/i);
    expect(check.status).toBe(0);
    // A second build with the answers cached writes nothing and asks nothing.
    const again = await runCli(dir, ['build'], {}, 240_000);
    expect(again.status).toBe(0);
    expect(server.requests.length).toBe(before);
  }, 600_000);

  it('a module that writes the edge-case fixture itself is FG316 at its own line; the repaired answer is accepted', async () => {
    const own = `${answers.chess_club}

@pytest.fixture
def chess_club_edge_cases(db_session) -> ChessClub:
    return create_chess_club(db_session)
`;
    const line = own.split('\n').indexOf('def chess_club_edge_cases(db_session) -> ChessClub:') + 1;
    const server = await llmServer((_scenario, round) => ({
      content: fenced(round === 1 ? own : answers.chess_club),
    }));
    const dir = copy(baseDir);
    useLlm(dir, server.url, 1);
    const r = await runCli(dir, ['build', '--force', 'chess_club', '--json'], {}, 240_000);
    expect(r.status).toBe(0);
    const requests = requestsFor(server, 'chess_club');
    expect(requests).toHaveLength(2);
    const repair = requests[1]!.body.messages.at(-1)!.content;
    expect(repair).toContain(
      `FG316 at line ${line}, column 1: the module defines \`chess_club_edge_cases\`, which fixturegen appends itself`,
    );
    expect(repair).toContain(`  line ${line}: def chess_club_edge_cases(db_session) -> ChessClub:`);
    const json = JSON.parse(r.stdout) as {
      scenarios: { name: string; llm: { rounds: number; result: string; lastErrors: string[] } }[];
    };
    expect(json.scenarios.find((s) => s.name === 'chess_club')!.llm).toMatchObject({
      rounds: 2,
      result: 'accepted',
      lastErrors: ['FG316'],
    });
    expect(bodyOf(dir, 'chess_club')).toBe(builtin.chess_club);
  }, 300_000);

  it("a module that copies the whole block fixturegen wrote gets the plan's block instead of its copy", async () => {
    // A stale copy: no refusals recorded, one case changed.
    const copied = builtin.chess_club
      .replace(/REFUSED_EDGE_CASES = \([\s\S]*?\n\)/, 'REFUSED_EDGE_CASES = ()')
      .replace('"chess.dues=-1.00"', '"chess.dues=-2.00"');
    expect(copied).not.toBe(builtin.chess_club);
    const server = await llmServer(() => ({ content: fenced(copied) }));
    const dir = copy(baseDir);
    useLlm(dir, server.url, 0);
    const r = await runCli(dir, ['build', '--force', 'chess_club'], {}, 240_000);
    expect(r.stderr).not.toMatch(/FG\d{3} error/);
    expect(r.status).toBe(0);
    expect(requestsFor(server, 'chess_club')).toHaveLength(1);
    expect(bodyOf(dir, 'chess_club')).toBe(builtin.chess_club);
  }, 300_000);

  it('names the block needs and the module does not import are imported before the block', async () => {
    // The model imports the enum under another name: the block's `Tier.gold` needs `Tier`.
    const aliased = answers.club_options
      .replace(
        'from clubs.models import Club, Member, Tier\n',
        'from clubs.models import Club, Member, Tier as T\n',
      )
      .replace('tier=Tier.basic,', 'tier=T.basic,');
    expect(aliased).not.toMatch(/\bTier\./);
    const server = await llmServer(() => ({ content: fenced(aliased) }));
    const dir = copy(baseDir);
    useLlm(dir, server.url, 0);
    const r = await runCli(dir, ['build', '--force', 'club_options'], {}, 240_000);
    expect(r.stderr).not.toMatch(/FG\d{3} error/);
    expect(r.status).toBe(0);
    const body = bodyOf(dir, 'club_options');
    const block = builtin.club_options.slice(answers.club_options.length - 1);
    expect(body).toBe(
      `${aliased.trimEnd()}\n\n\n#: Imported by fixturegen for the derived edge cases below (edge_cases: auto).\nfrom clubs.models import Tier${block}`,
    );
    expect(modelPart(body)).toBe(aliased);
    const pytest = spawnSync(
      join(REPO, '.venv', 'bin', 'python'),
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests', 'generated', '-k', 'club_options'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(pytest.status, pytest.stdout).toBe(0);
    expect(pytest.stdout).toMatch(/\d+ passed/);
  }, 300_000);

  it("a case that leaves rows out needs the package's without_left_out: imported before the block when the model does not", async () => {
    const bare = answers.league.replace('    without_left_out,\n', '');
    expect(bare).not.toContain('without_left_out');
    const server = await llmServer(() => ({ content: fenced(bare) }));
    const dir = copy(baseDir);
    useLlm(dir, server.url, 0);
    const r = await runCli(dir, ['build', '--force', 'league'], {}, 240_000);
    expect(r.stderr).not.toMatch(/FG\d{3} error/);
    expect(r.status).toBe(0);
    const body = bodyOf(dir, 'league');
    const block = builtin.league.slice(answers.league.length - 1);
    expect(block).toContain('    return without_left_out(\n');
    expect(body).toBe(
      `${bare.trimEnd()}\n\n\n#: Imported by fixturegen for the derived edge cases below (edge_cases: auto).\nfrom generated import without_left_out${block}`,
    );
    const pytest = spawnSync(
      join(REPO, '.venv', 'bin', 'python'),
      ['-m', 'pytest', '-v', '-p', 'no:cacheprovider', 'tests'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(pytest.status, pytest.stdout).toBe(0);
    for (const test of [
      'test_the_first_club_of_a_list_with_no_boards[clubs[0].boards=[]]',
      'test_the_first_club_of_a_list_with_no_members[clubs[0].members=[]]',
      'test_the_first_board_with_no_games[boards[0].games=[]]',
    ])
      expect(pytest.stdout).toContain(`${test} PASSED`);
  }, 300_000);
});
