import type { Catalog, ModelInfo } from '../catalog/types.js';
import { meant, suggest } from '../diagnostics/suggest.js';
import { Codes, type Code } from '../diagnostics/scenario-codes.js';

export type ModelLookup =
  | { readonly ok: true; readonly model: ModelInfo }
  | { readonly ok: false; readonly code: Code; readonly message: string; readonly hint: string };

/** True when `module` is one of `paths` or a submodule of one. */
export function underPaths(module: string, paths: readonly string[]): boolean {
  return paths.some((p) => module === p || module.startsWith(`${p}.`));
}

/**
 * Resolves a `model:` name among the catalog models under `paths`: a bare class name, the full
 * `module.Class`, or any dotted tail of it (`models.User`) that names exactly one class.
 */
export function resolveModel(
  name: string,
  catalog: Catalog,
  paths: readonly string[],
): ModelLookup {
  const scope = catalog.models.filter((m) => underPaths(m.module, paths));
  // A class exported under another name is found by that name too (`Label = make_tag()`).
  const exported = (m: ModelInfo) => m.access?.via === 'attribute' && m.access.name === name;
  const matches = scope.filter(
    (m) => m.qualname === name || m.name === name || m.qualname.endsWith(`.${name}`) || exported(m),
  );
  const exact = matches.find((m) => m.qualname === name);
  if (exact) return { ok: true, model: exact };
  if (matches.length === 1) return { ok: true, model: matches[0]! };
  if (matches.length > 1) {
    const names = matches.map((m) => m.qualname).sort();
    return {
      ok: false,
      code: Codes.ambiguousModel,
      message: `model "${name}" is ambiguous: ${names.join(', ')}`,
      hint: `write the full name, e.g. model: ${names[0]}`,
    };
  }
  const near = suggest(name, [...scope.map((m) => m.name), ...scope.map((m) => m.qualname)]);
  const elsewhere = catalog.models.filter(
    (m) => !underPaths(m.module, paths) && (m.name === name || m.qualname === name),
  );
  let hint: string;
  if (near !== null) hint = meant(near);
  else if (elsewhere.length > 0) {
    hint = `${elsewhere.map((m) => m.qualname).join(', ')} is outside this scenario's models (${paths.join(', ')}); add its module to models:`;
  } else if (scope.length === 0) {
    hint = `no mapped class is under ${paths.join(', ') || '(no models configured)'}; check models:`;
  } else {
    hint = `known models: ${[...new Set(scope.map((m) => m.name))].sort().join(', ')}`;
  }
  return { ok: false, code: Codes.unknownModel, message: `unknown model "${name}"`, hint };
}
