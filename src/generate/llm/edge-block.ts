/**
 * The derived edge cases (`edge_cases: auto`) of a module the model wrote. The edge-case section
 * is data derived from the plan plus one fixed-shape fixture, so fixturegen appends it itself,
 * byte for byte the builtin generator's block, after the model's module: the model never copies
 * dozens of cases (the prompt does not list them), every line of the model's answer keeps its
 * number in repair messages, and the cases reach the rows through the model's
 * `create_<name>(session, overrides=...)`, which the call tests (FG415) prove applies overrides.
 *
 * The block's values name `datetime`, `decimal`, `uuid`, `pytest` (or `pytest_asyncio`) and enum
 * classes. Those the model's module does not import are imported before the block; a module that
 * binds one of those names to something else, or defines the block's names itself, is FG316 (the
 * guard would refuse the name bound twice at a line the model never wrote).
 */
import type { Diagnostic } from '../../diagnostics/types.js';
import { error } from '../../diagnostics/types.js';
import {
  EDGE_CASES,
  REFUSED,
  edgeFixture,
  leavesRowsOut,
  renderEdgeBlock,
} from '../builtin/edge-cases.js';
import type { ExprContext } from '../builtin/pyexpr.js';
import type { Plan } from '../../plan/types.js';

export const EDGE_CODES = { conflict: 'FG316' } as const;

/** The first line of the imports fixturegen adds before the block (when it adds any). */
const IMPORTS_MARK =
  '#: Imported by fixturegen for the derived edge cases below (edge_cases: auto).';
/** The first line of the block itself (renderEdgeBlock's). */
const BLOCK_MARK = '#: Derived edge cases (`edge_cases: auto`)';

export interface EdgeAppendOptions {
  /** The output package, whose `without_left_out` the fixture may need (`leavesRowsOut`). */
  readonly packageName: string;
  readonly sessionFixture: string;
  readonly async: boolean;
  /** `constraint_tests` of the config (default true). */
  readonly constraintTests?: boolean;
}

type Binding =
  | { readonly kind: 'module'; readonly module: string; readonly line: number }
  | { readonly kind: 'from'; readonly module: string; readonly name: string; readonly line: number }
  | { readonly kind: 'other'; readonly line: number };

/** What the block needs bound: a local name and the import that binds it. */
interface Need {
  readonly local: string;
  readonly binding:
    { kind: 'module'; module: string } | { kind: 'from'; module: string; name: string };
}

export type EdgeAppend =
  | { readonly ok: true; readonly body: string }
  | { readonly ok: false; readonly problems: readonly Diagnostic[]; readonly feedback: string[] };

/** Whether the plan has derived edge cases for fixturegen to append. */
export const hasEdgeBlock = (plan: Plan): boolean => plan.derivedCases !== undefined;

/**
 * The model's module with the plan's edge-case block appended (the module as it is without
 * derived cases), or FG316 when the module's own top-level names collide with the block's.
 */
export function appendEdgeBlock(
  code: string,
  plan: Plan,
  options: EdgeAppendOptions,
  where: { readonly file: string },
): EdgeAppend {
  if (!hasEdgeBlock(plan)) return { ok: true, body: code };
  const std = new Set<string>();
  const enums = new Map<string, string>(); // local name -> module
  const ctx: ExprContext = {
    i: 0,
    imports: std,
    enumName: (module, cls) => {
      enums.set(cls, module);
      return cls;
    },
    labelVar: (label) => label,
    isList: () => false,
  };
  const extendsArgs = plan.extends.map((p) => `${p}=${p}`);
  const block = renderEdgeBlock(plan, {
    ctx,
    async: options.async,
    fixtureArgs: [options.sessionFixture, ...plan.extends],
    createArgs: [options.sessionFixture, ...extendsArgs],
    constraintTests: options.constraintTests !== false,
  });
  const kept: Need[] = leavesRowsOut(plan)
    ? [
        {
          local: 'without_left_out',
          binding: { kind: 'from', module: options.packageName, name: 'without_left_out' },
        },
      ]
    : [];
  const needs: Need[] = [
    ...kept,
    ...[...std, options.async ? 'pytest_asyncio' : 'pytest'].map((m) => ({
      local: m,
      binding: { kind: 'module' as const, module: m },
    })),
    ...[...enums].map(([cls, module]) => ({
      local: cls,
      binding: { kind: 'from' as const, module, name: cls },
    })),
  ].sort((a, b) => (a.local < b.local ? -1 : a.local > b.local ? 1 : 0));

  // A module that ends with fixturegen's own block (the model copied a module fixturegen wrote)
  // keeps what comes before it: the block is the plan's, appended again below.
  const module = withoutCopiedBlock(code, plan, new Set(needs.map((n) => n.local)));
  const bound = topLevelBindings(module);
  const problems: Diagnostic[] = [];
  const feedback: string[] = [];
  const lines = module.split('\n');
  // Positioned like the guard's: in the candidate module, the scenario file's first line.
  const clash = (line: number, message: string, hint: string) => {
    problems.push(
      error(EDGE_CODES.conflict, `candidate line ${line}:1: ${message}`, {
        ...where,
        line: 1,
        column: 1,
        hint,
      }),
    );
    const quoted = lines[line - 1]?.trim() ?? '';
    feedback.push(
      `${EDGE_CODES.conflict} at line ${line}, column 1: ${message}\n  line ${line}: ${quoted}\n  hint: ${hint}`,
    );
  };
  for (const name of [EDGE_CASES, REFUSED, 'ACCEPTED_EDGE_CASES', edgeFixture(plan.name)]) {
    const b = bound.get(name);
    if (b !== undefined) {
      clash(
        b.line,
        `the module defines \`${name}\`, which fixturegen appends itself for the derived edge cases (edge_cases: auto)`,
        `leave \`${name}\` out: fixturegen appends the edge-case table and the \`${edgeFixture(plan.name)}\` fixture after the module`,
      );
    }
  }
  const missing: Need[] = [];
  for (const need of needs) {
    const b = bound.get(need.local);
    if (b === undefined) {
      missing.push(need);
      continue;
    }
    const same =
      b.kind === need.binding.kind &&
      b.module === need.binding.module &&
      (b.kind !== 'from' || (need.binding.kind === 'from' && b.name === need.binding.name));
    if (!same) {
      const wanted = importLine(need);
      clash(
        b.line,
        `the module binds \`${need.local}\` to something else than the derived edge cases fixturegen appends need (\`${wanted}\`)`,
        `bind \`${need.local}\` with \`${wanted}\` (or not at all: fixturegen then imports it)`,
      );
    }
  }
  if (problems.length > 0) return { ok: false, problems, feedback };
  const head = module.replace(/\s+$/, '');
  const imports =
    missing.length === 0 ? '' : ['', '', IMPORTS_MARK, ...missing.map(importLine), ''].join('\n');
  return { ok: true, body: `${head}\n${imports}${block}` };
}

/**
 * `code` without a trailing copy of fixturegen's edge-case section: from its first marker line
 * (at column 0) to the end, when that part binds nothing but the section's names and the imports
 * it needs. Anything else after the marker keeps the whole module as the model wrote it (and
 * FG316 names the collisions).
 */
function withoutCopiedBlock(code: string, plan: Plan, imports: ReadonlySet<string>): string {
  const lines = code.split('\n');
  const at = lines.findIndex((l) => l.startsWith(IMPORTS_MARK) || l.startsWith(BLOCK_MARK));
  if (at < 0) return code;
  const own = new Set([EDGE_CASES, REFUSED, 'ACCEPTED_EDGE_CASES', edgeFixture(plan.name)]);
  const tail = topLevelBindings(lines.slice(at).join('\n'));
  if (![...tail.keys()].every((name) => own.has(name) || imports.has(name))) return code;
  return `${lines.slice(0, at).join('\n').replace(/\s+$/, '')}\n`;
}

/** The model's own module in a body `appendEdgeBlock` returned (the body when it has no block). */
export function modelPart(body: string): string {
  const at = [`\n\n\n${IMPORTS_MARK}\n`, `\n\n\n${BLOCK_MARK}`]
    .map((mark) => body.lastIndexOf(mark))
    .find((k) => k >= 0);
  return at === undefined ? body : `${body.slice(0, at)}\n`;
}

function importLine(need: Need): string {
  return need.binding.kind === 'module'
    ? `import ${need.binding.module}`
    : `from ${need.binding.module} import ${need.binding.name}`;
}

/**
 * The names a module binds at its top level (column 0): imports, definitions, assignments; a
 * later binding of a name wins. Enough to see a collision with the appended block; the guard
 * checks the whole module anyway.
 */
export function topLevelBindings(code: string): Map<string, Binding> {
  const out = new Map<string, Binding>();
  const lines = code.split('\n');
  for (let k = 0; k < lines.length; k += 1) {
    const line = lines[k]!;
    const at = k + 1;
    let m = /^import\s+(.+?)\s*(?:#.*)?$/.exec(line);
    if (m) {
      for (const part of m[1]!.split(',')) {
        const a = /^\s*([\w.]+)(?:\s+as\s+(\w+))?\s*$/.exec(part);
        if (!a) continue;
        if (a[2]) out.set(a[2], { kind: 'module', module: a[1]!, line: at });
        else
          out.set(a[1]!.split('.')[0]!, { kind: 'module', module: a[1]!.split('.')[0]!, line: at });
      }
      continue;
    }
    m = /^from\s+([\w.]+)\s+import\s+(.*)$/.exec(line);
    if (m) {
      let names = m[2]!.replace(/#.*$/, '');
      // A parenthesized or continued list of names spans lines.
      while ((names.includes('(') && !names.includes(')')) || /\\\s*$/.test(names)) {
        k += 1;
        if (k >= lines.length) break;
        names = `${names.replace(/\\\s*$/, '')} ${lines[k]!.replace(/#.*$/, '')}`;
      }
      for (const part of names.replace(/[()]/g, '').split(',')) {
        const a = /^\s*(\w+)(?:\s+as\s+(\w+))?\s*$/.exec(part);
        if (!a) continue;
        out.set(a[2] ?? a[1]!, { kind: 'from', module: m[1]!, name: a[1]!, line: at });
      }
      continue;
    }
    m = /^(?:async\s+def|def|class)\s+(\w+)/.exec(line) ?? /^(\w+)\s*(?::[^=]*)?=(?!=)/.exec(line);
    if (m) out.set(m[1]!, { kind: 'other', line: at });
  }
  return out;
}
