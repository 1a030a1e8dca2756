import type { PythonHelper } from '../catalog/python.js';
import { catalogSlice } from '../catalog/slice.js';
import type { Catalog } from '../catalog/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import type { Plan } from '../plan/types.js';

interface GuardDiagnostic {
  readonly code: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/**
 * The static guard (in the Python helper; nothing is imported or run): allowed imports only, nothing
 * that reaches the outside world, only mapped attributes as keywords and attributes, and the
 * contract's names present. Positions are in the candidate body, so they are put in the message.
 */
export async function guardCandidate(
  helper: PythonHelper,
  options: {
    body: string;
    plan: Plan;
    catalog: Catalog;
    packageName: string;
    sessionFixture: string;
  },
): Promise<Diagnostic[]> {
  const { plan, catalog } = options;
  const slice = catalogSlice(catalog, plan.models);
  const models: Record<string, { className: string; module: string; attributes: string[] }> = {};
  for (const m of slice) {
    models[m.qualname] = {
      className: m.name,
      module: m.module,
      attributes: [...m.columns.map((c) => c.key), ...m.relationships.map((r) => r.key)].sort(),
    };
  }
  const allowed = [
    ...new Set([
      ...catalog.modules,
      ...slice.flatMap((m) => (m.access ? [m.module, m.access.module] : [m.module])),
    ]),
  ].sort();
  const result = await helper.request<{ diagnostics: GuardDiagnostic[] }>('guard', {
    source: options.body,
    allowedModules: allowed,
    package: options.packageName,
    models,
    contract: {
      className: plan.className,
      createName: `create_${plan.name}`,
      fixtureName: plan.name,
      sessionFixture: options.sessionFixture,
    },
  });
  return result.diagnostics.map((d) =>
    error(d.code, `candidate line ${d.line}:${d.column}: ${d.message}`, { file: plan.source }),
  );
}
