import type { PythonHelper } from '../helper/client.js';
import type { Params, Result } from '../helper/protocol.js';
import { catalogSlice } from '../catalog/slice.js';
import type { Catalog } from '../catalog/types.js';
import { isDiagnosticCode, type DiagnosticCode } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import { moduleVariants } from '../plan/module-variants.js';
import type { Plan } from '../plan/types.js';

/** The helper's codes are checked against the registry in a test; one missing here is a bug. */
function registered(code: string): DiagnosticCode {
  if (!isDiagnosticCode(code))
    throw new Error(`the Python helper reported an unknown code ${code}`);
  return code;
}

interface GuardLabel {
  readonly label: string;
  readonly model: string;
  readonly list: boolean;
}

/** Every label a scenario's dataclass carries: inherited ones first, as the contract orders them. */
function labels(plan: Plan): GuardLabel[] {
  return [
    ...plan.inherited.map((x) => ({ label: x.label, model: x.model, list: x.count !== null })),
    ...plan.entities.map((e) => ({ label: e.label, model: e.model, list: e.count !== null })),
  ];
}

/** The scenarios `plan` extends, transitively, with whether each is a direct parent. */
function ancestors(plan: Plan, plans: ReadonlyMap<string, Plan>): Plan[] {
  const out = new Map<string, Plan>();
  const visit = (p: Plan) => {
    for (const name of p.extends) {
      const parent = plans.get(name);
      if (parent && !out.has(name)) {
        out.set(name, parent);
        visit(parent);
      }
    }
  };
  visit(plan);
  return [...out.values()];
}

/** What `guardCandidate` is given: the candidate's body and what it may refer to. */
export interface GuardOptions {
  body: string;
  plan: Plan;
  catalog: Catalog;
  packageName: string;
  sessionFixture: string;
  /** `async: true` in the configuration. */
  async?: boolean;
  /** Every plan by name: the extended scenarios' dataclasses and labels. */
  plans?: ReadonlyMap<string, Plan>;
}

/** The `guard` request for a candidate (see `guardCandidate`). */
export function guardParams(options: GuardOptions): Params<'guard'> {
  const { plan, catalog } = options;
  const parents = ancestors(plan, options.plans ?? new Map());
  const touched = [
    ...plan.models,
    ...parents.flatMap((p) => labels(p).map((l) => l.model)),
    ...labels(plan).map((l) => l.model),
  ];
  const slice = catalogSlice(catalog, [...new Set(touched)].sort());
  const models: Record<string, Params<'guard'>['models'][string]> = {};
  const enums = new Map<string, { module: string; name: string; members: string[] }>();
  for (const m of slice) {
    models[m.qualname] = {
      className: m.name,
      module: m.module,
      attributes: [...m.columns.map((c) => c.key), ...m.relationships.map((r) => r.key)].sort(),
      collections: m.relationships.filter((r) => r.uselist).map((r) => r.key),
      ...(m.access ? { access: m.access } : {}),
    };
    for (const c of m.columns) {
      const e = c.enum?.pythonEnum;
      if (e) {
        enums.set(`${e.module}.${e.name}`, {
          module: e.module,
          name: e.name,
          members: e.members.map((x) => x.name),
        });
      }
    }
  }
  const allowed = [
    ...new Set([
      ...catalog.modules,
      ...slice.flatMap((m) => (m.access ? [m.module, m.access.module] : [m.module])),
    ]),
  ].sort();
  return {
    source: options.body,
    allowedModules: allowed,
    package: options.packageName,
    models,
    enums: [...enums.values()],
    parents: parents.map((p) => ({
      name: p.name,
      className: p.className,
      labels: labels(p),
      direct: plan.extends.includes(p.name),
    })),
    contract: {
      className: plan.className,
      createName: `create_${plan.name}`,
      fixtureName: plan.name,
      sessionFixture: options.sessionFixture,
      variants: moduleVariants(plan).map((v) => v.name),
      ...(options.async ? { async: true } : {}),
    },
  };
}

/** The diagnostics of a `guard` answer, at the scenario file (positions in the message). */
export function guardDiagnostics(result: Result<'guard'>, plan: Plan): Diagnostic[] {
  return result.diagnostics.map((d) =>
    error(registered(d.code), `candidate line ${d.line}:${d.column}: ${d.message}`, {
      file: plan.source,
      ...(d.hint === undefined ? {} : { hint: d.hint }),
    }),
  );
}

/**
 * The static allow-list guard (in the Python helper; nothing is imported or run): the module may
 * hold only the contract's definitions, import only the catalog's classes, the value constructors
 * and the scenarios it extends, and use only the names, calls and attributes fixture code needs.
 * Positions are in the candidate body, so they are put in the message.
 */
export async function guardCandidate(
  helper: PythonHelper,
  options: GuardOptions,
): Promise<Diagnostic[]> {
  return guardDiagnostics(await helper.request('guard', guardParams(options)), options.plan);
}
