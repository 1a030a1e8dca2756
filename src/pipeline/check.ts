import type { Config } from '../config/schema.js';
import { refusedUntested } from '../constraints/output.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Generator } from '../generate/types.js';
import type { Analysis } from './analyze.js';
import { desiredOutputs } from './desired.js';
import type { OutputState } from './diff.js';
import { diffInit, diffOutputs } from './diff.js';
import type { StaleReason } from './stale.js';
import { reasonText } from './stale.js';

export type FindingKind = 'stale' | 'missing' | 'orphaned' | 'hand-edited';

export interface Finding {
  readonly kind: FindingKind;
  /** The generated file, relative to the root. */
  readonly file: string;
  /** The scenario file it comes from, when there is one. */
  readonly scenario: string | null;
  readonly message: string;
  /** For a stale file: each input that changed, and what about it. */
  readonly changed?: readonly { readonly input: StaleReason['kind']; readonly message: string }[];
  /** The command that fixes it. */
  readonly fix: string;
}

export interface CheckReport {
  readonly findings: readonly Finding[];
  /** One command that fixes every finding (null when there is none). */
  readonly fixAll: string | null;
  /**
   * Warnings about the current inputs that `build` reports too and need no database: FG462, the
   * refused edge cases a module records that no test runs (`constraint_tests: false`).
   */
  readonly warnings: readonly Diagnostic[];
}

/**
 * Compares the output folder with what the current inputs give, writing nothing: the diff of the
 * desired outputs against the disk, as findings with the command that fixes each.
 */
export async function checkOutputs(options: {
  config: Config;
  analysis: Analysis;
  generator: Generator;
}): Promise<CheckReport> {
  const { config, analysis, generator } = options;
  const desired = desiredOutputs(analysis, config, generator);
  const diff = await diffOutputs(desired);
  const findings: Finding[] = [];
  const warnings: Diagnostic[] = [];
  const finding = (
    state: Exclude<OutputState, { kind: 'current' }>,
    file: string,
    scenario: string | null,
    fix: string,
    why: string,
  ) => findings.push({ kind: state.kind, file, scenario, message: `${file} ${why}`, fix });

  for (const name of desired.scenarios.keys()) {
    const { desired: d, state, tests } = diff.scenarios.get(name)!;
    const fix = `fixturegen build ${d.name}`;
    warnings.push(...refusedUntested(config, d));
    if (tests && d.constraints?.tests && tests.state.kind !== 'current') {
      const path = d.constraints.tests.path;
      const why = {
        missing: `is missing (constraint tests of ${d.source})`,
        'hand-edited': 'was edited by hand (constraint tests; build replaces it)',
        stale: `is stale: ${tests.state.kind === 'stale' ? tests.state.reasons.map((r) => reasonText(r, d)).join('; ') : ''}`,
      }[tests.state.kind];
      finding(tests.state, path, d.source, fix, why);
    }
    switch (state.kind) {
      case 'current':
        break;
      case 'missing':
        finding(state, d.path, d.source, fix, `is missing (scenario ${d.source})`);
        break;
      case 'hand-edited':
        finding(
          state,
          d.path,
          d.source,
          fix,
          state.headerless
            ? 'has no fixturegen header (edited by hand; build replaces it)'
            : 'was edited by hand (its body no longer matches its header)',
        );
        break;
      case 'stale': {
        const changed = state.reasons.map((r) => ({ input: r.kind, message: reasonText(r, d) }));
        findings.push({
          kind: 'stale',
          file: d.path,
          scenario: d.source,
          message: `${d.path} is stale: ${changed.map((c) => c.message).join('; ')}`,
          changed,
          fix,
        });
        break;
      }
    }
  }
  for (const orphan of diff.orphaned) {
    findings.push({
      kind: 'orphaned',
      file: orphan.path,
      scenario: orphan.source,
      message: `${orphan.path} is orphaned: ${orphan.why}`,
      fix: `rm ${orphan.path} && fixturegen build`,
    });
  }
  const init = diffInit(config, analysis.catalog, desired.owned, analysis.plans);
  const initWhy = {
    current: '',
    missing: 'is missing',
    'hand-edited': 'was edited by hand',
    stale: 'is stale: the scenario list, models or configuration changed',
  }[init.state.kind];
  if (init.state.kind !== 'current')
    finding(init.state, init.path, null, 'fixturegen build', initWhy);
  return { findings, fixAll: fixAllCommand(findings), warnings };
}

/** Removing the orphans, then one build, fixes every finding. */
export function fixAllCommand(findings: readonly Finding[]): string | null {
  if (findings.length === 0) return null;
  const orphans = findings.filter((f) => f.kind === 'orphaned').map((f) => f.file);
  const rm = orphans.length > 0 ? `rm ${orphans.join(' ')}` : null;
  const build = findings.some((f) => f.kind !== 'orphaned') ? 'fixturegen build' : null;
  return [rm, build].filter((c) => c !== null).join(' && ');
}
