/**
 * The build-time probe of a scenario's derived edge cases: a parametrized test run in the same
 * pytest child as the scenario's constraint tests (and its smoke test), which creates the rows of
 * every case of the candidate module on the real database and reads each changed value back. A
 * case the database refuses (a DBAPIError: CHECK, trigger, NOT NULL the catalog missed, a value
 * out of range) is refused: the build renders the module again when the refused set is not the
 * one it records. A case that fails otherwise (the value read back is not the one written, a
 * TypeError) is FG461.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import { EdgeCodes } from '../diagnostics/edge-codes.js';
import type { PythonHelper } from '../helper/client.js';
import type { Plan } from '../plan/types.js';
import type { VerifyRequest } from './verify.js';
import { requestVerify, trim, verifyDiagnostics } from './verify.js';

const REFUSED_MARK = 'FIXTUREGEN-REFUSED';
const PROBE_TEST = 'test_fixturegen_edge_probe';

/** The probe module, for a scenario module that defines EDGE_CASES and create_<name>. */
export function probeModule(
  packageName: string,
  plan: Plan,
  async: boolean,
  session = 'db_session',
): string {
  const create = `create_${plan.name}`;
  const aw = async ? 'await ' : '';
  // The collection each zero-children case empties: read back from the database, it is empty.
  const emptied = (plan.derivedCases?.cases ?? []).flatMap((c) =>
    c.emptied === undefined
      ? []
      : [
          `    ${JSON.stringify(c.id)}: (${JSON.stringify(c.emptied.label)}, ${c.emptied.index ?? 'None'}, ${JSON.stringify(c.emptied.relationship)}),`,
        ],
  );
  const reload = async
    ? `await ${session}.refresh(parent, [key])`
    : `${session}.expire(parent, [key])`;
  return `"""fixturegen's build-time probe of the derived edge cases of \`${plan.name}\`."""

import datetime
import enum
import math

import pytest
import sqlalchemy
from sqlalchemy.exc import DBAPIError

from ${packageName}.${plan.name} import EDGE_CASES, ${create}

#: case -> (label, index, relationship) of the collection a zero-children case empties.
EMPTIED = {${emptied.length === 0 ? '' : `\n${emptied.join('\n')}\n`}}


def _same(want, have):
    if isinstance(want, float) and isinstance(have, (int, float)):
        return math.isclose(want, have, rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(want, datetime.datetime) and isinstance(have, datetime.datetime):
        if (want.tzinfo is None) == (have.tzinfo is None):
            return want == have
        # A column without a time zone keeps the wall-clock time, or the UTC time.
        utc = want.astimezone(datetime.timezone.utc) if want.tzinfo else want
        naive = have.replace(tzinfo=None)
        return naive in (want.replace(tzinfo=None), utc.replace(tzinfo=None))
    if isinstance(want, enum.Enum) and not isinstance(have, enum.Enum):
        return have in (want.value, want.name)
    return want == have


def _targets(value, overrides):
    for label, changes in overrides.items():
        if changes is None:
            continue  # left out
        rows = getattr(value, label)
        items = rows if isinstance(rows, list) else [rows]
        for key, change in changes.items():
            if isinstance(key, int):
                if change is not None:  # None: that row left out
                    yield f"{label}[{key}]", items[key], change
            else:
                for k, row in enumerate(items):
                    name = f"{label}[{k}]" if isinstance(rows, list) else label
                    yield name, row, {key: change}


${async ? '@pytest.mark.asyncio(loop_scope="function")\n' : ''}@pytest.mark.parametrize("case", list(EDGE_CASES))
${async ? 'async ' : ''}def ${PROBE_TEST}(${session}, case):
    overrides = EDGE_CASES[case]
    try:
        value = ${aw}${create}(${session}, overrides=overrides)
    except DBAPIError as exc:
        reason = f"{type(exc.orig).__name__}: {exc.orig}"
        pytest.fail(f"${REFUSED_MARK} {reason}", pytrace=False)
    problems = []
    for name, row, attrs in _targets(value, overrides):
        ${aw}${session}.refresh(row, list(attrs))
        for attribute, want in attrs.items():
            have = getattr(row, attribute)
            if isinstance(want, list):
                have = list(have)
            if not _same(want, have):
                problems.append(f"{name}.{attribute}: wrote {want!r}, read back {have!r}")
    for label, changes in overrides.items():
        rows = getattr(value, label)
        items = rows if isinstance(rows, list) else [rows]
        if changes is None and any(sqlalchemy.inspect(row).persistent for row in items):
            problems.append(f"{label} was left out, but its rows are in the database")
        for key, change in (changes or {}).items():
            if isinstance(key, int) and change is None and sqlalchemy.inspect(items[key]).persistent:
                problems.append(f"{label}[{key}] was left out, but its row is in the database")
    if case in EMPTIED:
        label, index, key = EMPTIED[case]
        parent = getattr(value, label)
        parent = parent if index is None else parent[index]
        ${reload}
        children = list(getattr(parent, key))
        if children:
            problems.append(f"{label}.{key}: read back {len(children)} rows, not none")
    if problems:
        pytest.fail("\\n".join(problems), pytrace=False)
`;
}

export interface ProbeOutcome {
  readonly refused: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

/** The id of a probe test (`test_fixturegen_edge_probe[users[0].x=None]`), or null. */
function caseOf(nodeid: string): string | null {
  const name = nodeid.split('::').pop() ?? '';
  const prefix = `${PROBE_TEST}[`;
  return name.startsWith(prefix) && name.endsWith(']') ? name.slice(prefix.length, -1) : null;
}

/**
 * Runs `req` (the module of `plan` and its constraint tests) with the probe beside it: the
 * diagnostics of the smoke and constraint tests as without it, FG461 for a case that failed
 * otherwise than by a refusal, and the ids the database refused. `at` is where FG461 points.
 */
export async function probeEdgeCases(
  helper: PythonHelper,
  req: VerifyRequest,
  plan: Plan,
  at: { readonly file: string; readonly line: number; readonly column: number },
): Promise<ProbeOutcome> {
  const cases = plan.derivedCases?.cases ?? [];
  const path = `${req.config.output.replace(/\/+$/, '')}/${PROBE_TEST}.py`;
  const result = await requestVerify(helper, {
    ...req,
    files: {
      ...req.files,
      [path]: probeModule(
        req.packageName,
        plan,
        req.config.async === true,
        req.config.session_fixture ?? 'db_session',
      ),
    },
    tests: [...(req.tests ?? []), { path, names: cases.map((c) => `${PROBE_TEST}[${c.id}]`) }],
  });
  // The smoke and constraint tests are judged as without the probe.
  const rest = result.tests.filter((t) => caseOf(t.nodeid) === null);
  const clean =
    !result.timedOut &&
    rest.length > 0 &&
    rest.every((t) => t.outcome === 'passed' || t.outcome === 'skipped');
  const diagnostics: Diagnostic[] = clean
    ? []
    : verifyDiagnostics({ ...result, ok: result.ok, tests: rest }, req);
  const refused: string[] = [];
  const seen = new Set<string>();
  for (const t of result.tests) {
    const id = caseOf(t.nodeid);
    if (id === null) continue;
    seen.add(id);
    if (t.outcome === 'passed') continue;
    const message = t.message ?? t.outcome;
    if (message.includes(REFUSED_MARK)) {
      refused.push(id);
      continue;
    }
    diagnostics.push(
      error(EdgeCodes.caseFailed, `edge case ${id} failed at build time: ${trim(message, 600)}`, {
        ...at,
        hint: 'exclude it with edge_cases: {auto: true, exclude: [label.attribute]}, or fix the model',
      }),
    );
  }
  if (seen.size < cases.length && diagnostics.length === 0) {
    diagnostics.push(
      error(EdgeCodes.caseFailed, `${cases.length - seen.size} edge cases did not run`, {
        ...at,
        hint: 'pytest did not run every case of the probe: see the output of `fixturegen build --json`',
      }),
    );
  }
  return { refused: refused.sort(), diagnostics };
}
