import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Generator } from '../generate/types.js';
import type { Analysis } from '../pipeline/analyze.js';
import { packageName } from '../pipeline/inputs.js';
import { absolute, initPath, inputHashes, renderInit, scenarioPath } from '../pipeline/outputs.js';
import { VERSION } from '../version.js';
import { readHeader, sha256, withHeader } from './header.js';

export type FindingKind = 'stale' | 'missing' | 'orphaned' | 'hand-edited';

export interface Finding {
  readonly kind: FindingKind;
  /** The generated file, relative to the root. */
  readonly file: string;
  /** The scenario file it comes from, when there is one. */
  readonly scenario: string | null;
  readonly message: string;
  /** The command that fixes it. */
  readonly fix: string;
}

/**
 * Compares the output folder with what the current inputs give, writing nothing. Builtin output
 * is regenerated in memory and compared byte for byte; other generators by input hash.
 */
export async function checkOutputs(options: {
  config: Config;
  analysis: Analysis;
  generator: Generator;
}): Promise<Finding[]> {
  const { config, analysis, generator } = options;
  const { plans, catalog } = analysis;
  const hashes = inputHashes(plans, catalog, config, generator);
  const byName = new Map(plans.map((p) => [p.name, p]));
  const findings: Finding[] = [];
  const pkg = packageName(config);

  for (const plan of plans) {
    const rel = scenarioPath(config, plan.name);
    const abs = absolute(config, rel);
    if (!existsSync(abs)) {
      findings.push({
        kind: 'missing',
        file: rel,
        scenario: plan.source,
        message: `${rel} is missing (scenario ${plan.source})`,
        fix: `fixturegen build ${plan.name}`,
      });
      continue;
    }
    const text = readFileSync(abs, 'utf8');
    const parsed = readHeader(text);
    const edited = () =>
      findings.push({
        kind: 'hand-edited',
        file: rel,
        scenario: plan.source,
        message: `${rel} was edited by hand (its body no longer matches its header)`,
        fix: `fixturegen build ${plan.name}`,
      });
    if (!parsed || sha256(parsed.body) !== parsed.header.body) {
      edited();
      continue;
    }
    const stale = (why: string) =>
      findings.push({
        kind: 'stale',
        file: rel,
        scenario: plan.source,
        message: `${rel} is stale: ${why}`,
        fix: `fixturegen build ${plan.name}`,
      });
    const hash = hashes.get(plan.name)!;
    if (parsed.header.input !== hash) {
      stale(
        `${plan.source}, the models it touches, the generator or fixturegen changed since it was built`,
      );
      continue;
    }
    if (parsed.header.generator === 'builtin' && generator.id === 'builtin') {
      const fresh = await generator.generate(plan, {
        config,
        catalog,
        packageName: pkg,
        plans: byName,
        validate: async () => [],
      });
      const expected = fresh.ok
        ? withHeader(fresh.body, {
            version: VERSION,
            source: plan.source,
            generator: 'builtin',
            input: hash,
          })
        : null;
      if (expected !== text) stale('regenerating it in memory gives different bytes');
    }
  }

  const names = new Set([
    ...plans.map((p) => p.name),
    ...analysis.failures.map((f) => f.name).filter((n): n is string => n !== null),
  ]);
  const outDir = absolute(config, config.output);
  if (existsSync(outDir)) {
    for (const entry of readdirSync(outDir).sort()) {
      if (!entry.endsWith('.py') || entry === '__init__.py') continue;
      const stem = entry.slice(0, -3);
      if (names.has(stem)) continue;
      const text = readFileSync(join(outDir, entry), 'utf8');
      const parsed = readHeader(text);
      if (!parsed) continue;
      const rel = scenarioPath(config, stem);
      findings.push({
        kind: 'orphaned',
        file: rel,
        scenario: parsed.header.source,
        message: `${rel} is orphaned: its scenario ${parsed.header.source} no longer exists`,
        fix: `rm ${rel} && fixturegen build`,
      });
    }
  }

  const registered = [...names].filter((n) =>
    existsSync(absolute(config, scenarioPath(config, n))),
  );
  const init = initPath(config);
  const initAbs = absolute(config, init);
  const expectedInit = renderInit(config, catalog, registered);
  if (!existsSync(initAbs)) {
    findings.push({
      kind: 'missing',
      file: init,
      scenario: null,
      message: `${init} is missing`,
      fix: 'fixturegen build',
    });
  } else {
    const text = readFileSync(initAbs, 'utf8');
    const parsed = readHeader(text);
    if (!parsed || sha256(parsed.body) !== parsed.header.body) {
      findings.push({
        kind: 'hand-edited',
        file: init,
        scenario: null,
        message: `${init} was edited by hand`,
        fix: 'fixturegen build',
      });
    } else if (text !== expectedInit) {
      findings.push({
        kind: 'stale',
        file: init,
        scenario: null,
        message: `${init} is stale: the scenario list, models or configuration changed`,
        fix: 'fixturegen build',
      });
    }
  }
  return findings;
}
