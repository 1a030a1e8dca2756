import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { loadEntry } from './entry.js';
import type { EntryOptions, ScenarioInput } from './entry.js';
import { LIMITS, prescan } from './limits.js';

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * The `models` key of a scenario, if any, for the CLI to know which modules to introspect before
 * the scenario is checked. Tolerant: broken YAML gives what can still be read, never an error.
 */
export function scenarioModelPaths(text: string): string[] {
  // A file beyond the limits fails when it is loaded; reading it here could only take long.
  if (text.length > LIMITS.scenarioBytes || prescan(text, '') !== null) return [];
  let found: unknown[] | null = null;
  try {
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
    if (isMap(doc.contents)) {
      const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'models');
      const v = pair?.value;
      if (isScalar(v)) found = [v.value];
      else if (isSeq(v)) found = v.items.map((item) => (isScalar(item) ? item.value : null));
    }
  } catch {
    found = null;
  }
  if (found === null) found = fromLines(text);
  const out = found.filter((p): p is string => typeof p === 'string' && PATH.test(p.trim()));
  return [...new Set(out.map((p) => p.trim()))].sort();
}

/**
 * `scenarioModelPaths` of a scenario file, from the parse compiling it uses (cached per content:
 * the file is parsed once for both); only a file that does not parse is read the tolerant way.
 */
export function modelPathsOf(input: ScenarioInput, options: EntryOptions = {}): string[] {
  if (input.problem !== undefined) return [];
  const src = loadEntry(input, options).src;
  if (src === null) return scenarioModelPaths(input.text);
  const v = (src.data as Record<string, unknown>).models;
  const found: unknown[] = Array.isArray(v) ? v : [v];
  const out = found.filter((p): p is string => typeof p === 'string' && PATH.test(p.trim()));
  return [...new Set(out.map((p) => p.trim()))].sort();
}

/** Line-based fallback: `models: a.b`, `models: [a, b]` or a block list under `models:`. */
function fromLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => /^models\s*:/.test(l));
  if (at < 0) return [];
  const rest = lines[at]!.replace(/^models\s*:/, '')
    .replace(/#.*$/, '')
    .trim();
  if (rest.startsWith('[')) {
    return rest
      .replace(/^\[|\].*$/g, '')
      .split(',')
      .map((s) => s.trim().replace(/^["']|["']$/g, ''));
  }
  if (rest !== '') return [rest.replace(/^["']|["']$/g, '')];
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    const m = /^\s+-\s*(.*?)\s*(#.*)?$/.exec(l);
    if (!m) break;
    out.push(m[1]!.replace(/^["']|["']$/g, ''));
  }
  return out;
}
