/**
 * `fixturegen validate` and `build` through the built CLI on a temporary copy of the sample
 * project, with scenarios from the malformed corpus added and one sample scenario broken: the
 * diagnostics the corpus expects, sorted, as plain text (not a terminal) and as JSON; exit 1; and
 * not one file of the project changed, generated/ included.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadCorpus, type Expectation } from '../corpus/corpus.js';
import { VENV_ENV, sampleProject, snapshot } from '../support/project.js';
import { fixturegen } from '../support/python.js';

/** Corpus files that need only crm.models, one per stage: YAML, schema, semantic, plan. */
const PICKED = [
  'yaml_tab_indent.yaml',
  'yaml_unclosed_flow_list.yaml',
  'schema_count_zero.yaml',
  'attribute_unknown_typo.yaml',
  'index_out_of_range_i.yaml',
  'reference_cycle_two.yaml',
  'autolink_several_labels.yaml',
];
const CORPUS = new Map(loadCorpus().map((c) => [c.name, c.files[0]!]));

/** team_budget.yaml with a misspelt attribute: its generated module must stay as it was. */
function breakTeamBudget(dir: string): Expectation {
  const path = join(dir, 'scenarios', 'team_budget.yaml');
  const lines = readFileSync(path, 'utf8').split('\n');
  const n = lines.findIndex((l) => l.includes('full_name:'));
  lines[n] = lines[n]!.replace('full_name:', 'fullname:');
  writeFileSync(path, lines.join('\n'));
  return { code: 'FG203', line: n + 1, column: lines[n].indexOf('fullname') + 1, fragment: '' };
}

interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  hint?: string;
}

describe('validate and build on malformed scenarios', () => {
  let dir: string;
  let before: Record<string, string>;
  const expected: { file: string; e: Expectation }[] = [];

  beforeAll(() => {
    dir = sampleProject('fixturegen-validate-');
    const built = fixturegen(dir, ['build'], VENV_ENV);
    expect(built.status, built.stderr).toBe(0);
    for (const name of PICKED) {
      const f = CORPUS.get(name)!;
      writeFileSync(join(dir, 'scenarios', name), f.text);
      for (const e of f.expect) expected.push({ file: `scenarios/${name}`, e });
    }
    expected.push({ file: 'scenarios/team_budget.yaml', e: breakTeamBudget(dir) });
    before = snapshot(dir);
  });

  test('--json: exit 1, every expected diagnostic in a sorted array of stable fields', () => {
    const r = fixturegen(dir, ['validate', '--json'], VENV_ENV);
    expect(r.status, r.stderr).toBe(1);
    const list = JSON.parse(r.stdout) as JsonDiagnostic[];
    const got = list.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`);
    expect(got).toEqual(
      expected
        .map(({ file, e }) => ({ file, ...e }))
        .sort((a, b) =>
          a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column,
        )
        .map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`),
    );
    const order = [
      'code',
      'severity',
      'message',
      'file',
      'line',
      'column',
      'endLine',
      'endColumn',
      'hint',
    ];
    for (const d of list) {
      const keys = Object.keys(d);
      expect(keys.filter((k) => !order.includes(k))).toEqual([]);
      expect(keys).toEqual(order.filter((k) => keys.includes(k)));
      expect(d.severity).toBe('error');
      expect(d.hint).toBeTruthy();
    }
    for (const { file, e } of expected) {
      const d = list.find((x) => x.file === file && x.line === e.line && x.column === e.column)!;
      expect(`${d.message}\n${d.hint}`).toContain(e.fragment);
    }
    // Human text still goes to stderr; the summary too.
    expect(r.stderr).toContain('scenarios/attribute_unknown_typo.yaml:');
    expect(r.stderr).toMatch(/1 valid, 8 with errors \(\d+ diagnostics\)/);
    expect(snapshot(dir)).toEqual(before);
  });

  test('not on a terminal: plain sorted lines with hints, no code frame, no colour', () => {
    const r = fixturegen(dir, ['validate'], VENV_ENV);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toContain('\u001b[');
    expect(r.stderr).not.toMatch(/^ {2}[> ] +\d+ \|/m);
    const heads = r.stderr.split('\n').filter((l) => /^scenarios\/.*:\d+:\d+: FG\d{3} /.test(l));
    expect(heads).toHaveLength(expected.length);
    const lines = r.stderr.split('\n');
    for (const h of heads) expect(lines[lines.indexOf(h) + 1]).toMatch(/^ {2}hint: \S/);
    const where = heads.map((h) => /^(\S+):(\d+):(\d+):/.exec(h)!);
    const keys = where.map((m) => [m[1]!, Number(m[2]), Number(m[3])] as const);
    const sorted = [...keys].sort((a, b) =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2],
    );
    expect(keys).toEqual(sorted);
    expect(r.stderr).toContain(
      'scenarios/attribute_unknown_typo.yaml:6:7: FG203 Tenant has no attribute "nmae"\n  hint: did you mean "name"?',
    );
    expect(r.stdout).toMatch(/✓ tenant_with_team\s+scenarios\/tenant_with_team\.yaml/);
    expect(snapshot(dir)).toEqual(before);
  });

  test('named scenarios: only theirs are checked; an unknown name is a usage error', () => {
    const one = fixturegen(dir, ['validate', 'tenant_with_team'], VENV_ENV);
    expect(one.status, one.stderr).toBe(0);
    expect(one.stderr).toBe('');
    const file = fixturegen(
      dir,
      ['validate', '--json', './scenarios/attribute_unknown_typo.yaml'],
      VENV_ENV,
    );
    expect(file.status).toBe(1);
    expect((JSON.parse(file.stdout) as JsonDiagnostic[]).map((d) => d.code)).toEqual(['FG203']);
    // A file that does not parse has no name: its file stem finds it.
    const stem = fixturegen(dir, ['validate', '--json', 'yaml_unclosed_flow_list'], VENV_ENV);
    expect(stem.status, stem.stderr).toBe(1);
    expect((JSON.parse(stem.stdout) as JsonDiagnostic[]).map((d) => d.code)).toEqual(['FG105']);
    const nope = fixturegen(dir, ['validate', 'no_such_scenario'], VENV_ENV);
    expect(nope.status).toBe(2);
    expect(nope.stderr).toContain('no scenario named "no_such_scenario"');
    expect(snapshot(dir)).toEqual(before);
  });

  test('build: exit 1 with the same diagnostics, and every previous file kept as it was', () => {
    const r = fixturegen(dir, ['build'], VENV_ENV);
    expect(r.status).toBe(1);
    for (const { file, e } of expected) {
      expect(r.stderr).toContain(`${file}:${e.line}:${e.column}: ${e.code} `);
    }
    expect(snapshot(dir)).toEqual(before);
  });
});

test('validate on a clean project: exit 0, an empty JSON array, nothing written', () => {
  const dir = sampleProject('fixturegen-validate-clean-');
  const before = snapshot(dir);
  const r = fixturegen(dir, ['validate', '--json'], VENV_ENV);
  expect(r.status, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual([]);
  expect(r.stderr).toContain('2 valid, 0 with errors (0 diagnostics)');
  expect(snapshot(dir)).toEqual(before);
});
