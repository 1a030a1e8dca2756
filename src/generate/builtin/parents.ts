/**
 * The statements that get the scenarios a scenario extends. The fixture requests them (pytest
 * creates each scenario fixture once per test); `create_<name>(session)` called alone creates the
 * missing ones itself, and creates a scenario that several of them extend (a diamond) only once:
 *
 * - a parent passed in is used as it is;
 * - an ancestor that two or more parents share (and every scenario between a parent and it) is
 *   taken from a parent passed in that carries it (its dataclass is rebuilt from that parent's
 *   labels), else created once and handed to the scenarios that extend it;
 * - every other ancestor is left to the parent that extends it.
 */
import type { Plan } from '../../plan/types.js';
import { call, layout } from './layout.js';

export interface ParentsContext {
  readonly plan: Plan;
  /** Async output: each parent's create function is awaited. */
  readonly async?: boolean;
  readonly plans: ReadonlyMap<string, Plan>;
  readonly packageName: string;
  /** Local name of a class from a module, registering its import. */
  readonly className: (module: string, cls: string) => string;
  /** PascalCase dataclass name of a scenario without a plan. */
  readonly fallbackClass: (name: string) => string;
  /** More arguments of the call that creates scenario `name` (given its dataclass's local name). */
  readonly createArgs?: (name: string, dataclass: string) => string[];
}

/** Every label a scenario's dataclass carries, in its field order. */
export function labelsOf(plan: Plan): string[] {
  return [...plan.inherited.map((x) => x.label), ...plan.entities.map((e) => e.label)];
}

export function parentStatements(pc: ParentsContext): string[] {
  const { plan, plans } = pc;
  const parentsOf = (name: string) => plans.get(name)?.extends ?? [];
  const closures = new Map<string, Set<string>>();
  const closure = (name: string): Set<string> => {
    let found = closures.get(name);
    if (found) return found;
    found = new Set([name]);
    closures.set(name, found);
    for (const p of parentsOf(name)) for (const x of closure(p)) found.add(x);
    return found;
  };
  const direct = plan.extends;
  const ancestors = new Set(direct.flatMap((p) => [...closure(p)]));
  const carriers = (name: string) => direct.filter((p) => closure(p).has(name));
  const shared = [...ancestors].filter((a) => carriers(a).length > 1);
  const needed = [...ancestors].filter(
    (a) => direct.includes(a) || shared.some((s) => closure(a).has(s)),
  );

  // Parents first, each scenario's parents in written order, so the statements read like the YAML.
  const order: string[] = [];
  const visit = (name: string): void => {
    if (order.includes(name)) return;
    parentsOf(name).forEach(visit);
    if (needed.includes(name)) order.push(name);
  };
  direct.forEach(visit);

  const dataclass = (name: string) =>
    pc.className(`${pc.packageName}.${name}`, plans.get(name)?.className ?? pc.fallbackClass(name));
  /** `name = <callee>(<args>)`, spread one argument per line where it would not fit. */
  const assign = (indent: string, name: string, callee: string, args: string[]) => {
    const head = `${indent}${name} = `;
    return `${head}${layout(call(callee, args), indent, head.length, 0)}`;
  };
  const create = (name: string, indent: string) => {
    const fn = pc.className(`${pc.packageName}.${name}`, `create_${name}`);
    const args = parentsOf(name)
      .filter((p) => needed.includes(p))
      .map((p) => `${p}=${p}`);
    return assign(indent, name, pc.async ? `await ${fn}` : fn, [
      'session',
      ...args,
      ...(pc.createArgs?.(name, dataclass(name)) ?? []),
    ]);
  };
  const rebuild = (name: string, from: string, indent: string): string => {
    const fields = labelsOf(plans.get(name)!).map((l) => `${l}=${from}.${l}`);
    return assign(indent, name, dataclass(name), fields);
  };
  const obtain = (name: string, indent: string): string[] => {
    const from = direct.filter((p) => p !== name && closure(p).has(name) && plans.has(name));
    if (from.length === 0) return [create(name, indent)];
    const lines: string[] = [];
    from.forEach((p, k) => {
      lines.push(`${indent}${k === 0 ? 'if' : 'elif'} ${p} is not None:`);
      lines.push(rebuild(name, p, `${indent}    `));
    });
    lines.push(`${indent}else:`, create(name, `${indent}    `));
    return lines;
  };

  const body: string[] = [];
  for (const name of order.filter((a) => shared.includes(a))) {
    body.push(
      `    # ${name} is extended by ${carriers(name).join(' and ')}: created once, or taken from one passed in.`,
    );
  }
  for (const name of order) {
    if (direct.includes(name)) body.push(`    if ${name} is None:`, ...obtain(name, '        '));
    else body.push(...obtain(name, '    '));
  }
  return body;
}
