/**
 * The derived edge cases of a scenario module (`edge_cases: auto`): a table of cases, each the
 * overrides of `create_<name>` that make it, the ids the database refused at build time, and one
 * parametrized fixture `<name>_edge_cases` over the others. The refused ids are an input of the
 * rendering that only a build can learn: the module records them, and `check` reads them back
 * from the written module (`recordedRefusals`), so it renders the same bytes without a database.
 */
import type { Doc } from './layout.js';
import { dict, seq, statement } from './layout.js';
import type { ExprContext } from './pyexpr.js';
import { literalDoc, pyString } from './pyexpr.js';
import type { Plan, PlanEdgeCase, PlanEdgeChange, PyLiteral } from '../../plan/types.js';

export const EDGE_CASES = 'EDGE_CASES';
export const REFUSED = 'REFUSED_EDGE_CASES';

/** The fixture a scenario's derived cases are exposed through. */
export const edgeFixture = (name: string) => `${name}_edge_cases`;

function valueDoc(value: PyLiteral, ctx: ExprContext): Doc {
  // A string at its maximum length stays readable.
  if (value.kind === 'str' && value.value.length > 8 && /^x+$/.test(value.value))
    return `"x" * ${value.value.length}`;
  return literalDoc(value, ctx);
}

/**
 * `{"users": {0: {"email": ""}}, "lead": {"manager": None}}`; a label the case leaves out is
 * `"users": None`, after the changes; rows of a list it leaves out are `"boards": {0: None}`.
 */
function overridesDoc(c: PlanEdgeCase, ctx: ExprContext): Doc {
  const { changes } = c;
  const rows = c.removedRows ?? [];
  const labels = [...new Set([...changes.map((ch) => ch.label), ...rows.map((r) => r.label)])];
  return dict([
    ...labels.map((label) => {
      const mine = changes.filter((c) => c.label === label);
      const every = mine.filter((c) => c.index === null);
      const indexes = [...new Set(mine.flatMap((c) => (c.index === null ? [] : [c.index])))];
      const gone = rows.filter((r) => r.label === label).flatMap((r) => r.indexes);
      const attrs = (list: readonly PlanEdgeChange[]) =>
        dict(list.map((c) => seq(`${pyString(c.attribute)}: `, valueDoc(c.value, ctx))));
      return seq(
        `${pyString(label)}: `,
        dict([
          ...every.map((c) => seq(`${pyString(c.attribute)}: `, valueDoc(c.value, ctx))),
          ...indexes.map((k) => seq(`${k}: `, attrs(mine.filter((c) => c.index === k)))),
          ...gone.map((k) => `${k}: None`),
        ]),
      );
    }),
    ...(c.removed ?? []).map((label) => `${pyString(label)}: None`),
  ]);
}

export interface EdgeBlockOptions {
  readonly ctx: ExprContext;
  readonly async: boolean;
  /** `def <name>_edge_cases(` parameters after `request` (the session fixture, parents). */
  readonly fixtureArgs: readonly string[];
  /** Arguments of `create_<name>(` before `overrides=` (the session, parents). */
  readonly createArgs: readonly string[];
  /** `constraint_tests` of the config (default true): false, no test runs the refused cases. */
  readonly constraintTests?: boolean;
  /**
   * The local name of the package's `without_left_out`, which the fixture's result goes through
   * when a case leaves rows out (`leavesRowsOut`): required then.
   */
  readonly withoutLeftOut?: string;
}

/** Whether a case of the plan leaves rows out: its fixture then returns only the rows kept. */
export const leavesRowsOut = (plan: Plan): boolean =>
  (plan.derivedCases?.cases ?? []).some(
    (c) => (c.removed ?? []).length > 0 || c.removedRows !== undefined,
  );

/** The module's edge-case section (leading blank lines included), or '' without derived cases. */
export function renderEdgeBlock(plan: Plan, options: EdgeBlockOptions): string {
  const derived = plan.derivedCases;
  if (derived === undefined) return '';
  const { ctx } = options;
  const cases = statement(
    '',
    `${EDGE_CASES} = `,
    dict(derived.cases.map((c) => seq(`${pyString(c.id)}: `, overridesDoc(c, ctx)))),
  );
  const refused =
    derived.refused.length === 0
      ? `${REFUSED} = ()`
      : [`${REFUSED} = (`, ...derived.refused.map((id) => `    ${pyString(id)},`), ')'].join('\n');
  const fixture = edgeFixture(plan.name);
  const def = options.async ? 'async def' : 'def';
  const decorator = options.async
    ? `@pytest_asyncio.fixture(loop_scope="function", params=ACCEPTED_EDGE_CASES)`
    : '@pytest.fixture(params=ACCEPTED_EDGE_CASES)';
  const params = ['request', ...options.fixtureArgs].join(', ');
  const overrides = `${EDGE_CASES}[request.param]`;
  const args = [...options.createArgs, `overrides=${overrides}`];
  const create = `${options.async ? 'await ' : ''}create_${plan.name}(`;
  // A case that leaves rows out: the test gets only the rows kept, as from a variant.
  const kept = leavesRowsOut(plan) ? (options.withoutLeftOut ?? 'without_left_out') : null;
  const call = `${create}${args.join(', ')})`;
  const ret = kept === null ? `    return ${call}` : `    return ${kept}(${call}, ${overrides})`;
  const wrapped =
    kept === null
      ? [`    return ${create}`, ...args.map((a) => `        ${a},`), '    )']
      : [
          `    return ${kept}(`,
          ...(`        ${call},`.length <= 88
            ? [`        ${call},`]
            : [`        ${create}`, ...args.map((a) => `            ${a},`), '        ),']),
          `        ${overrides},`,
          '    )',
        ];
  const capped =
    derived.capped > 0 ? [`#: ${derived.capped} more cases were left out by edge_cases.max.`] : [];
  return [
    '',
    '',
    '#: Derived edge cases (`edge_cases: auto`): each is the scenario with one change, written as',
    `#: the overrides of create_${plan.name} that make it, and verified on the database at build time.`,
    ...(leavesRowsOut(plan)
      ? ['#: A label given None is left out: none of its rows reaches the database.']
      : []),
    ...(derived.cases.some((c) => c.removedRows !== undefined)
      ? ['#: So is a row of a list given None by its index: `{"boards": {0: None}}`.']
      : []),
    ...capped,
    cases,
    ...(options.constraintTests !== false
      ? [
          '#: The cases the database refused at build time: the constraint tests expect each to raise.',
        ]
      : [
          '#: The cases the database refused at build time, left out of the fixture. With',
          '#: `constraint_tests: false` no test runs them: set it to true in the config to get',
          '#: test_refused_edge_case, which expects the database to refuse each.',
        ]),
    '#: `fixturegen build` finds them and `fixturegen check` reads them here: do not edit by hand.',
    refused,
    `ACCEPTED_EDGE_CASES = [case for case in ${EDGE_CASES} if case not in ${REFUSED}]`,
    '',
    '',
    decorator,
    `${def} ${fixture}(${params}) -> ${plan.className}:`,
    `    """\`${plan.name}\` with one edge case per test: a test requesting it runs once per case."""`,
    ret.length <= 88 ? ret : wrapped.join('\n'),
    '',
  ].join('\n');
}

/**
 * The refused ids a written module records, or [] when it records none (or is not a builtin
 * module with edge cases): what `check` and the next build render with.
 */
export function recordedRefusals(text: string): string[] {
  const one = new RegExp(`^${REFUSED} = \\(\\n((?: {4}.*,\\n)*)\\)$`, 'm').exec(text);
  if (one === null) return [];
  const out: string[] = [];
  for (const line of one[1]!.split('\n')) {
    const m = /^ {4}(["'])(.*)\1,$/.exec(line);
    if (m) out.push(m[2]!.replace(/\\(.)/g, '$1'));
  }
  return out;
}
