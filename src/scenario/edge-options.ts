/**
 * `edge_cases:` as written: `auto`, a list of strings (for the LLM generator), or
 * `{auto: true, exclude: [...], kinds: [...], max: N}`. The object form's names are checked
 * against the scenario's own entities and the kinds of cases, with a "did you mean".
 */
import type { Diagnostic } from '../diagnostics/types.js';
import { EdgeCodes } from '../diagnostics/edge-codes.js';
import { didYouMean, hintFor, meant } from '../diagnostics/suggest.js';
import type { CheckedEntity } from '../plan/input.js';
import type { EdgeCaseKind, EdgeCaseOptions } from '../plan/types.js';
import { EDGE_CASE_KINDS } from '../plan/types.js';
import { diagAt } from './position.js';
import type { RawEdgeCases, ScenarioSource } from './types.js';

/** What `Plan.edgeCases` holds for a written `edge_cases`. */
export function edgeCasesMode(raw: RawEdgeCases | undefined): 'auto' | readonly string[] | null {
  if (raw === undefined) return null;
  if (raw === 'auto' || Array.isArray(raw)) return raw as 'auto' | readonly string[];
  return (raw as { auto: boolean }).auto ? 'auto' : null;
}

/** `did you mean "nulls"?` for a kind a written word begins (`nul`). */
function prefixOf(word: string): string | undefined {
  const found = word.length >= 2 ? EDGE_CASE_KINDS.find((k) => k.startsWith(word)) : undefined;
  return found === undefined ? undefined : meant(found);
}

export function edgeCaseOptions(
  src: ScenarioSource,
  raw: RawEdgeCases | undefined,
  entities: readonly CheckedEntity[],
): { readonly options: EdgeCaseOptions | null; readonly diagnostics: Diagnostic[] } {
  if (raw === undefined || raw === 'auto' || Array.isArray(raw))
    return { options: null, diagnostics: [] };
  const object = raw as Exclude<RawEdgeCases, 'auto' | readonly string[]>;
  const diagnostics: Diagnostic[] = [];
  const byLabel = new Map(entities.map((e) => [e.label, e]));
  const exclude = object.exclude ?? [];
  exclude.forEach((item, k) => {
    const [label, attribute, ...rest] = item.split('.');
    const entity = byLabel.get(label ?? '');
    const path = ['edge_cases', 'exclude', k];
    if (entity === undefined) {
      diagnostics.push(
        diagAt(
          src,
          EdgeCodes.unknownExclude,
          `edge_cases excludes "${item}", but the scenario has no label "${label}"`,
          path,
          {
            hint: hintFor(label ?? '', byLabel.keys(), 'own labels'),
          },
        ),
      );
      return;
    }
    if (attribute === undefined) return;
    const names = [
      ...entity.model.columns.map((c) => c.key),
      ...entity.model.relationships.map((r) => r.key),
    ];
    if (rest.length > 0 || !names.includes(attribute)) {
      diagnostics.push(
        diagAt(
          src,
          EdgeCodes.unknownExclude,
          `edge_cases excludes "${item}", but ${entity.model.name} has no attribute "${[attribute, ...rest].join('.')}"`,
          path,
          {
            hint: hintFor(
              attribute,
              names.filter((n) => !n.startsWith('_')),
              `${entity.model.name}'s attributes`,
            ),
          },
        ),
      );
    }
  });
  const kinds = object.kinds ?? null;
  (kinds ?? []).forEach((kind, k) => {
    if ((EDGE_CASE_KINDS as readonly string[]).includes(kind)) return;
    diagnostics.push(
      diagAt(
        src,
        EdgeCodes.unknownKind,
        `edge_cases kind "${kind}" is not a kind of edge case`,
        ['edge_cases', 'kinds', k],
        {
          hint:
            didYouMean(kind, EDGE_CASE_KINDS) ??
            prefixOf(kind) ??
            `kinds: ${EDGE_CASE_KINDS.join(', ')}`,
        },
      ),
    );
  });
  return {
    options: {
      exclude: [...exclude],
      kinds:
        kinds === null
          ? null
          : (kinds.filter((k) =>
              (EDGE_CASE_KINDS as readonly string[]).includes(k),
            ) as EdgeCaseKind[]),
      max: object.max ?? null,
    },
    diagnostics,
  };
}
