/**
 * The constraint test module of a scenario (`<output>/test_<name>_constraints.py`): one test per
 * case of the suite, using the scenario's fixture for rows and plain SQL (Core statements on the
 * model's table) to break a constraint, so the database, not the ORM, is what answers. With
 * `async: true` the tests are async (pytest-asyncio) and await the project's AsyncSession: the
 * same statements, `async with` savepoints. Formatted as ruff format leaves it.
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

/** How the module talks to the session: sync, or an AsyncSession awaited natively. */
export interface RenderOptions {
  /** `async: true`: async tests (pytest-asyncio) and an awaited session. */
  readonly async: boolean;
  /** The session fixture the tests request (`session_fixture`, `db_session` by default). */
  readonly session: string;
}

interface Ctx {
  readonly async: boolean;
  readonly s: string;
  /** `await ` in an async module, '' otherwise. */
  readonly aw: string;
}

const ctxOf = (o: RenderOptions): Ctx => ({
  async: o.async,
  s: o.session,
  aw: o.async ? 'await ' : '',
});

const KEY_HELPERS = `def _key(obj):
    """A persistent instance's table and primary key, to find its row again with plain SQL."""
    state = inspect(obj)
    names = [column.name for column in state.mapper.primary_key]
    return state.mapper.local_table, dict(zip(names, state.identity))


def _where(key):
    table, values = key
    return [table.c[name] == value for name, value in values.items()]`;

const ROW_DOC =
  '"""The row as the database has it now (None when it is gone), read past the session."""';

function helpers(ctx: Ctx): string {
  const row = ctx.async
    ? [
        'async def _row(session, key):',
        `    ${ROW_DOC}`,
        '    result = await session.execute(select(key[0]).where(*_where(key)))',
        '    return result.one_or_none()',
      ]
    : [
        'def _row(session, key):',
        `    ${ROW_DOC}`,
        '    return session.execute(select(key[0]).where(*_where(key))).one_or_none()',
      ];
  return [KEY_HELPERS, '', '', ...row].join('\n');
}

/** `_row(<session>, <key>)`, awaited in an async module (parenthesized when `paren`). */
function rowCall(ctx: Ctx, key: string, paren = false): string {
  const call = `_row(${ctx.s}, ${key})`;
  if (!ctx.async) return call;
  return paren ? `(await ${call})` : `await ${call}`;
}

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

/**
 * `with pytest.raises(<error>), <session>.begin_nested():` around `statements` (already awaited
 * where they need it); in an async module the savepoint is an `async with` of its own.
 */
function refused(ctx: Ctx, statements: readonly string[], err = 'IntegrityError'): string[] {
  if (!ctx.async) {
    return [
      `    with pytest.raises(${err}), ${ctx.s}.begin_nested():`,
      ...statements.map((s) => `        ${s}`),
    ];
  }
  return [
    `    with pytest.raises(${err}):`,
    `        async with ${ctx.s}.begin_nested():`,
    ...statements.map((s) => `            ${s}`),
  ];
}

/** Writes `values` into the row of `key` (a local variable) with a plain UPDATE. */
const update = (ctx: Ctx) =>
  `${ctx.aw}${ctx.s}.execute(update(key[0]).where(*_where(key)).values(values))`;

/** The marker of an async test: pytest-asyncio, on the loop the function fixtures use. */
const ASYNC_MARK = '@pytest.mark.asyncio(loop_scope="function")';

function head(ctx: Ctx, name: string, fixture: string, doc: string, extra = ''): string[] {
  return [
    `${ctx.async ? 'async def' : 'def'} ${name}(${fixture}, ${ctx.s}${extra}):`,
    `    ${docstring(doc, '    ')}`,
    `    data = ${fixture}`,
  ];
}

function deleteTest(ctx: Ctx, c: DeleteCase, name: string, fixture: string): string[] {
  const { s, aw } = ctx;
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
  const lines = head(ctx, name, fixture, `${c.model.name}: ${how} ${expect}.`);
  lines.push(statement('    ', 'key = ', `_key(${rowExpr(c.row)})`));
  const kids = c.children.map((ch) => `_key(${rowExpr(ch.row)})`);
  if (kids.length > 0) lines.push(statement('    ', 'children = ', list(kids)));
  const run =
    c.path === 'orm'
      ? [`${aw}${s}.delete(${rowExpr(c.row)})`, `${aw}${s}.flush()`]
      : [`${aw}${s}.execute(delete(key[0]).where(*_where(key)))`];
  // A fresh session, as an application deleting the row would have: nothing loaded.
  if (c.path === 'orm') lines.push(`    ${s}.expire_all()`);
  if (c.outcome.kind === 'refused') {
    lines.push(...refused(ctx, run));
    lines.push(`    assert ${rowCall(ctx, 'key')} is not None`);
    if (kids.length > 0) {
      const each = `${rowCall(ctx, 'child')} is not None for child in children`;
      // An await in a generator expression makes an async generator: a list in async code.
      lines.push(`    assert all(${ctx.async ? `[${each}]` : each})`);
    }
    return lines;
  }
  lines.push(...run.map((x) => `    ${x}`));
  lines.push(`    assert ${rowCall(ctx, 'key')} is None`);
  c.children.forEach((ch, i) => {
    const row = rowCall(ctx, `children[${i}]`);
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

function caseTest(
  ctx: Ctx,
  c: ConstraintCase,
  name: string,
  fixture: string,
  needs: Set<string>,
): string[] {
  switch (c.kind) {
    case 'delete':
      return deleteTest(ctx, c, name, fixture);
    case 'unique': {
      const cols = c.columns.map((x) => x.name);
      const lines = head(
        ctx,
        name,
        fixture,
        `${c.model.name}: two rows with one (${cols.join(', ')}) are refused.`,
      );
      lines.push(statement('    ', 'first = ', `_key(${rowExpr(c.first)})`));
      if (c.other) {
        lines.push(statement('    ', 'key = ', `_key(${rowExpr(c.other)})`));
        lines.push(`    taken = ${rowCall(ctx, 'first', true)}._mapping`);
        const items = cols.map((n) => `${pyString(n)}: taken[${pyString(n)}]`);
        lines.push(statement('    ', 'values = ', dict(items)));
        lines.push(...refused(ctx, [update(ctx)]));
        return lines;
      }
      lines.push(`    copy = dict(${rowCall(ctx, 'first', true)}._mapping)`);
      for (const col of c.omit) lines.push(`    del copy[${pyString(col.name)}]`);
      for (const col of c.nulls) lines.push(`    copy[${pyString(col.name)}] = None`);
      lines.push(...refused(ctx, [`${ctx.aw}${ctx.s}.execute(insert(first[0]).values(copy))`]));
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
        ...head(
          ctx,
          name,
          fixture,
          `${c.model.name}: each NOT NULL column refuses NULL.`,
          ', column',
        ),
      );
      lines.push(statement('    ', 'key = ', `_key(${rowExpr(c.row)})`));
      lines.push('    values = {column: null()}');
      lines.push(...refused(ctx, [update(ctx)]));
      return lines;
    }
    case 'check': {
      const col = c.violation.column.name;
      const value = violationExpr(c.violation.value, needs);
      const doc = `${c.model.name}: CHECK (${c.sql}) refuses ${col} = ${value} (it breaks ${c.violation.breaks}).`;
      const lines = head(ctx, name, fixture, doc);
      lines.push(statement('    ', 'key = ', `_key(${rowExpr(c.row)})`));
      lines.push(statement('    ', 'values = ', dict([`${pyString(col)}: ${value}`])));
      lines.push(...refused(ctx, [update(ctx)]));
      return lines;
    }
  }
}

/** The derived edge cases the database refused at build time: each must raise again. */
function refusedEdgeCases(ctx: Ctx, plan: Plan): string[] {
  return [
    '@pytest.mark.parametrize("case", REFUSED_EDGE_CASES)',
    `${ctx.async ? 'async def' : 'def'} test_refused_edge_case(${ctx.s}, case):`,
    `    """Edge cases of \`${plan.name}\` the database refused when fixturegen built it."""`,
    ...refused(
      ctx,
      [`${ctx.aw}create_${plan.name}(${ctx.s}, overrides=EDGE_CASES[case])`],
      'DBAPIError',
    ),
  ];
}

/** A test's text: an async test's first decorator is the pytest-asyncio marker. */
const marked = (ctx: Ctx, lines: readonly string[]) =>
  (ctx.async ? [ASYNC_MARK, ...lines] : lines).join('\n');

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
  options: RenderOptions = { async: false, session: 'db_session' },
): RenderedTests | null {
  const ctx = ctxOf(options);
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
    tests.push(marked(ctx, caseTest(ctx, c, name, fixture, needs)));
  }
  if (refusedIds.length > 0) {
    tests.push(marked(ctx, refusedEdgeCases(ctx, plan)));
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
    helpers(ctx),
    '',
    '',
    tests.join('\n\n\n'),
    '',
  ].join('\n');
  return { body, names };
}
