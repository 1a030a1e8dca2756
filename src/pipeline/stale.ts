/**
 * Why a generated file is stale: its header records the fixturegen version, the scenario file, the
 * generator and short hashes of each input part at the time it was written; comparing them with
 * the current ones names the inputs that changed.
 */
import type { Header } from '../output/header.js';
import { VERSION } from '../version.js';
import type { DesiredScenario } from './desired.js';
import type { ScenarioDiff } from './diff.js';
import { dialectOf } from '../config/dialect.js';
import { INPUT_PARTS, KNOWN_DIALECTS, databasePart } from './outputs.js';

export type StaleReason =
  | { readonly kind: 'version'; readonly from: string; readonly to: string }
  | { readonly kind: 'moved'; readonly from: string }
  | { readonly kind: 'generator'; readonly from: string; readonly to: string }
  | { readonly kind: 'scenario' }
  | { readonly kind: 'parent'; readonly parents: readonly string[] }
  | { readonly kind: 'models'; readonly models: readonly string[] }
  | { readonly kind: 'fingerprint'; readonly generator: string }
  | { readonly kind: 'config' }
  /**
   * The file was verified on another database: `from` is its dialect, `another database` when
   * fixturegen cannot name it, null when the header does not record one (an older fixturegen).
   */
  | { readonly kind: 'database'; readonly from: string | null; readonly to: string }
  /** Same input hash, different bytes from the builtin generator. */
  | { readonly kind: 'bytes' }
  /** The header has no input parts (written by an older fixturegen): the change cannot be named. */
  | { readonly kind: 'unknown' };

/** Inputs every scenario shares: when they changed, a parent's change says nothing more. */
const SHARED = new Set<StaleReason['kind']>([
  'version',
  'fingerprint',
  'config',
  'generator',
  'database',
]);

/** The parents that changed on their own, not only through inputs every scenario shares. */
function parentsChangedOnTheirOwn(parents: readonly ScenarioDiff[]): string[] {
  return parents
    .filter(
      (p) =>
        p.state.kind === 'missing' ||
        (p.state.kind === 'stale' && p.state.reasons.some((r) => !SHARED.has(r.kind))),
    )
    .map((p) => p.desired.name);
}

export function staleReasons(
  header: Header,
  desired: DesiredScenario,
  parents: readonly ScenarioDiff[],
): StaleReason[] {
  const reasons: StaleReason[] = [];
  if (header.version !== VERSION)
    reasons.push({ kind: 'version', from: header.version, to: VERSION });
  if (header.source !== desired.source) reasons.push({ kind: 'moved', from: header.source });
  const sameGenerator = header.generator === desired.generator;
  if (!sameGenerator) {
    reasons.push({ kind: 'generator', from: header.generator, to: desired.generator });
  }
  // Headers written before the database was part of the input have every other part.
  if (!INPUT_PARTS.every((k) => k in header.parts || k === 'database')) {
    return reasons.length > 0 ? reasons : [{ kind: 'unknown' }];
  }
  const changed = (k: (typeof INPUT_PARTS)[number]) => header.parts[k] !== desired.parts[k];
  if (changed('scenario')) reasons.push({ kind: 'scenario' });
  if (changed('extends')) {
    const own = parentsChangedOnTheirOwn(parents);
    const shared =
      reasons.some((r) => SHARED.has(r.kind)) || changed('fingerprint') || changed('database');
    // A parent that changed only because fixturegen or the generator did adds nothing new.
    if (own.length > 0) reasons.push({ kind: 'parent', parents: own });
    else if (!shared) reasons.push({ kind: 'parent', parents: desired.plan.extends });
  }
  if (changed('models')) reasons.push({ kind: 'models', models: desired.plan.models });
  if (changed('fingerprint') && sameGenerator) {
    reasons.push({ kind: 'fingerprint', generator: desired.generator });
  }
  if (changed('config')) reasons.push({ kind: 'config' });
  if (changed('database')) {
    const recorded = header.parts.database;
    const from =
      recorded === undefined
        ? null
        : (KNOWN_DIALECTS.find((d) => databasePart(d) === recorded) ?? 'another database');
    reasons.push({
      kind: 'database',
      from,
      to: dialectOf(desired.context.config.verifyDatabaseUrl),
    });
  }
  return reasons.length > 0 ? reasons : [{ kind: 'unknown' }];
}

const short = (qualname: string) => qualname.slice(qualname.lastIndexOf('.') + 1);

/** One reason as a sentence fragment, e.g. "its parent scenario `base` changed". */
export function reasonText(reason: StaleReason, desired: DesiredScenario): string {
  switch (reason.kind) {
    case 'version':
      return `fixturegen's version changed (${reason.from} → ${reason.to})`;
    case 'moved':
      return `its scenario moved from ${reason.from} to ${desired.source}`;
    case 'generator':
      return `the generator changed (${reason.from} → ${reason.to})`;
    case 'scenario':
      return `its scenario ${desired.source} changed`;
    case 'parent':
      return reason.parents.length === 1
        ? `its parent scenario \`${reason.parents[0]}\` changed`
        : `its parent scenarios ${reason.parents.map((p) => `\`${p}\``).join(', ')} changed`;
    case 'models':
      return `the models it touches changed (${reason.models.map(short).join(', ')} or their neighbours, or the list of model modules)`;
    case 'fingerprint':
      return reason.generator === 'builtin'
        ? 'the builtin templates changed'
        : "the LLM generator's model, settings or prompt templates changed";
    case 'config':
      return 'the output package, session_fixture or async changed in the configuration';
    case 'database':
      return reason.from === null
        ? `its header does not record the database it was verified on (now ${reason.to})`
        : `it was verified on ${reason.from}, and the database is now ${reason.to} (database_url, or FIXTUREGEN_DATABASE_URL)`;
    case 'bytes':
      return 'regenerating it in memory gives different bytes';
    case 'unknown':
      return `${desired.source}, the models it touches, the generator or fixturegen changed since it was built`;
  }
}
