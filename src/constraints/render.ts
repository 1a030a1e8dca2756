/**
 * The constraint test module of a scenario (`<output>/test_<name>_constraints.py`): one test per
 * case of the suite, using the scenario's fixture for rows and plain SQL (Core statements on the
 * model's table) to break a constraint, so the database, not the ORM, is what answers. Formatted
 * as ruff format leaves it.
 */
import {
  importBlock,
  type FromImport,
  type IsFirstParty,
} from '../generate/builtin/import-block.js';
import { docstring } from '../generate/builtin/render.js';
import { LINE_WIDTH, dict, flat, list, seq, statement, width } from '../generate/builtin/layout.js';
import { pyString } from '../generate/builtin/pyexpr.js';
import type { Plan } from '../plan/types.js';
import type { Violation } from './checks.js';
import type { ConstraintCase, ConstraintSuite, DeleteCase, RowRef } from './derive.js';

export interface RenderedTests {
  readonly body: string;
  /** Test names as pytest reports them, in file order (`name[param]` when parametrized). */
  readonly names: readonly string[];
}

const snake = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toLowerCase();

function rowExpr(ref: RowRef): string {
  return ref.index === null ? `data.${ref.label}` : `data.${ref.label}[${ref.index}]`;
}

function rowLabel(ref: RowRef): string {
  return ref.index === null ? ref.label : `${ref.label}[${ref.index}]`;
}

function rowVar(ref: RowRef): string {
  return ref.index === null ? ref.label : `${ref.label}_${ref.index}`;
}

const HELPERS = `def _key(obj):
    """A persistent instance's table and primary key, to find its row again with plain SQL."""
    state = inspect(obj)
    names = [column.name for column in state.mapper.primary_key]
    return state.mapper.local_table, dict(zip(names, state.identity))


def _where(key):
    table, values = key
    return [table.c[name] == value for name, value in values.items()]


def _row(session, key):
    """The row as the database has it now (None when it is gone), read past the session."""
    return session.execute(select(key[0]).where(*_where(key))).one_or_none()`;

function violationExpr(v: Violation, needs: Set<string>): string {
  switch (v.kind) {
    case 'int':
    case 'float':
      return v.text;
    case 'decimal':
      needs.add('decimal');
      return `Decimal(${pyString(v.text)})`;
    case 'str':
      return pyString(v.text);
    case 'null':
      return 'null()';
    case 'column':
      return `key[0].c[${pyString(v.name)}]`;
  }
}

/** `with pytest.raises(IntegrityError), db_session.begin_nested():` around `statements`. */
function refused(statements: readonly string[]): string[] {
  return [
    '    with pytest.raises(IntegrityError), db_session.begin_nested():',
    ...statements.map((s) => `        ${s}`),
  ];
}

/** Writes `values` into the row of `key` (a local variable) with a plain UPDATE. */
const UPDATE = 'db_session.execute(update(key[0]).where(*_where(key)).values(values))';

function head(name: string, fixture: string, doc: string, extra = ''): string[] {
  return [
    `def ${name}(${fixture}, db_session${extra}):`,
    `    ${docstring(doc, '    ')}`,
    `    data = ${fixture}`,
  ];
}

function deleteTest(c: DeleteCase, name: string, fixture: string): string[] {
  const row = rowLabel(c.row);
  const how = c.path === 'orm' ? `session.delete(${row})` : `a plain SQL DELETE of ${row}`;
  const fates = c.children.map((ch) => {
    const what =
      ch.fate === 'nulled'
        ? `stays, with ${ch.columns.map((x) => x.name).join(', ')} set to NULL`
        : `is ${ch.fate}`;
    return `${rowLabel(ch.row)} (${ch.model.name}) ${what}`;
  });
  const links = c.links.map((l) => `its ${l} rows are deleted`);
  const expect =
    c.outcome.kind === 'refused'
      ? `is refused: ${c.outcome.why}`
      : ['deletes it', ...fates, ...links].join('; ');
  const lines = head(name, fixture, `${c.model.name}: ${how} ${expect}.`);
  lines.push(statement('    ', 'key = ', `_key(${rowExpr(c.row)})`));
  const kids = c.children.map((ch) => `_key(${rowExpr(ch.row)})`);
  if (kids.length > 0) lines.push(statement('    ', 'children = ', list(kids)));
  const run =
    c.path === 'orm'
      ? [`db_session.delete(${rowExpr(c.row)})`, 'db_session.flush()']
      : ['db_session.execute(delete(key[0]).where(*_where(key)))'];
  // A fresh session, as an application deleting the row would have: nothing loaded.
  if (c.path === 'orm') lines.push('    db_session.expire_all()');
  if (c.outcome.kind === 'refused') {
    lines.push(...refused(run));
    lines.push('    assert _row(db_session, key) is not None');
    if (kids.length > 0) {
      lines.push('    assert all(_row(db_session, child) is not None for child in children)');
    }
    return lines;
  }
  lines.push(...run.map((s) => `    ${s}`));
  lines.push('    assert _row(db_session, key) is None');
  c.children.forEach((ch, i) => {
    const row = `_row(db_session, children[${i}])`;
    if (ch.fate === 'deleted') lines.push(`    assert ${row} is None`);
    else if (ch.fate === 'kept') lines.push(`    assert ${row} is not None`);
    else {
      const cols = ch.columns.map((x) => pyString(x.name));
      lines.push(`    row = ${row}`);
      lines.push(`    assert row is not None`);
      for (const col of cols) lines.push(`    assert row._mapping[${col}] is None`);
    }
  });
  return lines;
}

function caseTest(c: ConstraintCase, name: string, fixture: string, needs: Set<string>): string[] {
  switch (c.kind) {
    case 'delete':
      return deleteTest(c, name, fixture);
    case 'unique': {
      const cols = c.columns.map((x) => x.name);
      const lines = head(
        name,
        fixture,
        `${c.model.name}: two rows with one (${cols.join(', ')}) are refused.`,
      );
      lines.push(statement('    ', 'first = ', `_key(${rowExpr(c.first)})`));
      if (c.other) {
        lines.push(statement('    ', 'key = ', `_key(${rowExpr(c.other)})`));
        lines.push('    taken = _row(db_session, first)._mapping');
        const items = cols.map((n) => `${pyString(n)}: taken[${pyString(n)}]`);
        lines.push(statement('    ', 'values = ', dict(items)));
        lines.push(...refused([UPDATE]));
        return lines;
      }
      lines.push('    copy = dict(_row(db_session, first)._mapping)');
      for (const col of c.omit) lines.push(`    del copy[${pyString(col.name)}]`);
      for (const col of c.nulls) lines.push(`    copy[${pyString(col.name)}] = None`);
      lines.push(...refused(['db_session.execute(insert(first[0]).values(copy))']));
      return lines;
    }
    case 'not-null': {
      const names = c.columns.map((x) => pyString(x.name));
      const deco = `@pytest.mark.parametrize(${flat(seq('"column", ', list(names)))})`;
      const lines =
        width(deco) <= LINE_WIDTH
          ? [deco]
          : [
              '@pytest.mark.parametrize(',
              '    "column",',
              '    [',
              ...names.map((n) => `        ${n},`),
              '    ],',
              ')',
            ];
      lines.push(
        ...head(name, fixture, `${c.model.name}: each NOT NULL column refuses NULL.`, ', column'),
      );
      lines.push(statement('    ', 'key = ', `_key(${rowExpr(c.row)})`));
      lines.push('    values = {column: null()}');
      lines.push(...refused([UPDATE]));
      return lines;
    }
    case 'check': {
      const col = c.violation.column.name;
      const value = violationExpr(c.violation.value, needs);
      const doc = `${c.model.name}: CHECK (${c.sql}) refuses ${col} = ${value} (it breaks ${c.violation.breaks}).`;
      const lines = head(name, fixture, doc);
      lines.push(statement('    ', 'key = ', `_key(${rowExpr(c.row)})`));
      lines.push(statement('    ', 'values = ', dict([`${pyString(col)}: ${value}`])));
      lines.push(...refused([UPDATE]));
      return lines;
    }
  }
}

/** The derived edge cases the database refused at build time: each must raise again. */
function refusedEdgeCases(plan: Plan): string[] {
  return [
    '@pytest.mark.parametrize("case", REFUSED_EDGE_CASES)',
    'def test_refused_edge_case(db_session, case):',
    `    """Edge cases of \`${plan.name}\` the database refused when fixturegen built it."""`,
    '    with pytest.raises(DBAPIError), db_session.begin_nested():',
    `        create_${plan.name}(db_session, overrides=EDGE_CASES[case])`,
  ];
}

function caseName(c: ConstraintCase): string {
  switch (c.kind) {
    case 'delete':
      return `test_delete_${rowVar(c.row)}_${c.path}`;
    case 'unique':
      return `test_unique_${snake(c.model.name)}_${c.columns.map((x) => snake(x.name)).join('_')}`;
    case 'not-null':
      return `test_not_null_${snake(c.model.name)}`;
    case 'check':
      return `test_check_${snake(c.model.name)}_${snake(c.violation.column.name)}`;
  }
}

/** The module text (no header), or null when the suite has no case. */
export function renderConstraintTests(
  plan: Plan,
  suite: ConstraintSuite,
  firstParty: IsFirstParty,
  packageName: string,
): RenderedTests | null {
  const refusedIds = plan.derivedCases?.refused ?? [];
  if (suite.cases.length === 0 && refusedIds.length === 0) return null;
  const fixture = plan.name;
  const needs = new Set<string>();
  const used = new Map<string, number>();
  const names: string[] = [];
  const tests: string[] = [];
  for (const c of suite.cases) {
    let name = caseName(c);
    const n = (used.get(name) ?? 0) + 1;
    used.set(name, n);
    if (n > 1) name = `${name}_${n}`;
    // As pytest names them: a parametrized test once per column.
    if (c.kind === 'not-null') names.push(...c.columns.map((x) => `${name}[${x.name}]`));
    else names.push(name);
    tests.push(caseTest(c, name, fixture, needs).join('\n'));
  }
  if (refusedIds.length > 0) {
    tests.push(refusedEdgeCases(plan).join('\n'));
    names.push(...refusedIds.map((id) => `test_refused_edge_case[${id}]`));
  }
  const sql = new Set(['select']);
  for (const c of suite.cases) {
    if (c.kind === 'delete' && c.path === 'sql') sql.add('delete');
    if (c.kind === 'unique') sql.add(c.other ? 'update' : 'insert');
    if (c.kind === 'not-null') sql.add('update').add('null');
    if (c.kind === 'check') {
      sql.add('update');
      if (c.violation.value.kind === 'null') sql.add('null');
    }
  }
  const froms: FromImport[] = [
    ...[...sql, 'inspect'].map((name) => ({ module: 'sqlalchemy', name })),
    { module: 'sqlalchemy.exc', name: 'IntegrityError' },
    ...(refusedIds.length > 0
      ? [
          { module: 'sqlalchemy.exc', name: 'DBAPIError' },
          { module: `${packageName}.${plan.name}`, name: 'EDGE_CASES' },
          { module: `${packageName}.${plan.name}`, name: 'REFUSED_EDGE_CASES' },
          { module: `${packageName}.${plan.name}`, name: `create_${plan.name}` },
        ]
      : []),
    ...(needs.has('decimal') ? [{ module: 'decimal', name: 'Decimal' }] : []),
  ];
  const imports = importBlock(['pytest'], froms, firstParty);
  const about = [
    `What the database does with the rows of the \`${plan.name}\` scenario (${plan.source}):`,
    'deleting a parent, duplicate unique keys, NULL in NOT NULL columns, values CHECK',
    'constraints refuse, and the derived edge cases the database refused. Derived from the',
    'models by fixturegen (`edge_cases: auto`) and',
    'verified at build time; `constraint_tests: false` in fixturegen.yaml turns them off.',
    ...(suite.skipped.length > 0
      ? ['', 'Not derived:', '', ...suite.skipped.map((s) => `- ${s}`)]
      : []),
  ].join('\n');
  const body = [
    docstring(about, ''),
    '',
    'from __future__ import annotations',
    '',
    imports,
    '',
    '',
    HELPERS,
    '',
    '',
    tests.join('\n\n\n'),
    '',
  ].join('\n');
  return { body, names };
}
