import { join } from 'node:path';
import { catalogSlice } from '../catalog/slice.js';
import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import { renderInitModule } from '../generate/builtin/index.js';
import { TEMPLATES_DIR, templatesHash } from '../generate/templates.js';
import type { Generator } from '../generate/types.js';
import type { Plan } from '../plan/types.js';
import { hashJson, withHeader } from '../output/header.js';
import { VERSION } from '../version.js';
import { packageName } from './inputs.js';

/** Everything that decides a scenario's output, hashed; parents' hashes included. */
export function inputHashes(
  plans: readonly Plan[],
  catalog: Catalog,
  config: Config,
  generator: Generator,
): Map<string, string> {
  const byName = new Map(plans.map((p) => [p.name, p]));
  const hashes = new Map<string, string>();
  const visit = (plan: Plan): string => {
    const known = hashes.get(plan.name);
    if (known) return known;
    const hash = hashJson({
      fixturegen: VERSION,
      generator: generator.fingerprint(),
      scenario: plan.canonical,
      source: plan.source,
      extends: plan.extends.map((p) => {
        const parent = byName.get(p);
        return parent ? visit(parent) : p;
      }),
      slice: catalogSlice(catalog, plan.models),
      package: packageName(config),
      session_fixture: config.session_fixture ?? null,
    });
    hashes.set(plan.name, hash);
    return hash;
  };
  for (const plan of plans) visit(plan);
  return hashes;
}

export function scenarioPath(config: Config, name: string): string {
  return `${config.output.replace(/\/+$/, '')}/${name}.py`;
}

export function initPath(config: Config): string {
  return `${config.output.replace(/\/+$/, '')}/__init__.py`;
}

export function absolute(config: Config, rel: string): string {
  return join(config.root, rel);
}

/** The package's `__init__.py` registering the given scenario modules, header included. */
export function renderInit(
  config: Config,
  catalog: Catalog,
  scenarioNames: readonly string[],
): string {
  const ownSession = !config.session_fixture;
  const pkg = packageName(config);
  const names = [...scenarioNames].sort();
  const input = hashJson({
    fixturegen: VERSION,
    templates: templatesHash(join(TEMPLATES_DIR, 'builtin')),
    package: pkg,
    scenarios: names,
    own_session: ownSession,
    database_url: config.database_url,
    models: catalog.models.map((m) => m.qualname),
  });
  const body = renderInitModule({
    catalog,
    root: config.root,
    packageName: pkg,
    scenarioNames: names,
    ownSession,
    databaseUrl: config.database_url,
  });
  return withHeader(body, {
    version: VERSION,
    source: `${config.scenarios.replace(/\/+$/, '')}/`,
    generator: 'builtin',
    input,
  });
}
