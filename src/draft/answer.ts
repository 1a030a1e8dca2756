/**
 * The model's draft, from its answer to the scenario file: the YAML block is pulled out, checked
 * for its shape (a mapping of `entities` and, where the file has none, `expect`), and its nodes are
 * added to the file through the `yaml` Document API. The file's own text stays byte for byte: its
 * description, comments and layout; the new keys are appended after it. Only a file that already
 * holds an empty `entities` (or `entities:` with nothing) is re-serialized as a whole, which keeps
 * comments and styles but may respace them.
 */
import { Document, isMap, isScalar, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { findFences, quote, stripThinking } from '../generate/llm/extract.js';

export type YamlExtraction =
  { readonly ok: true; readonly yaml: string } | { readonly ok: false; readonly message: string };

const YAML_LABELS = new Set(['yaml', 'yml']);
const ENTITIES_LINE = /^entities\s*:/m;

export function extractYaml(answer: string): YamlExtraction {
  const text = stripThinking(answer).replace(/\r\n?/g, '\n');
  if (text.trim() === '') return { ok: false, message: 'the answer is empty' };
  const fences = findFences(text);
  const labelled = fences.filter((f) => YAML_LABELS.has(f.label));
  const pick =
    labelled.find((f) => ENTITIES_LINE.test(f.body)) ??
    labelled[0] ??
    fences.find((f) => f.label === '' && ENTITIES_LINE.test(f.body));
  if (pick) return { ok: true, yaml: `${pick.body.trimEnd()}\n` };
  if (fences.length === 0 && /^entities\s*:/.test(text.trim())) {
    return { ok: true, yaml: `${text.trim()}\n` };
  }
  const what =
    fences.length === 0
      ? 'no YAML code block'
      : `no YAML with \`entities\` in its ${fences.length} code block${fences.length === 1 ? '' : 's'}`;
  return { ok: false, message: `the answer has ${what}: ${quote(text)}` };
}

export type MergeResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Whether the scenario file already states `expect` (the model must keep to it, not write it). */
export function hasExpect(original: string): boolean {
  const doc = parseDocument(original);
  return isMap(doc.contents) && doc.has('expect');
}

/** The scenario file with the drafted keys added, or what is wrong with the draft's shape. */
export function mergeDraft(original: string, draftYaml: string): MergeResult {
  const draft = parseDocument(draftYaml, { uniqueKeys: true });
  if (draft.errors.length > 0) {
    return {
      ok: false,
      problems: draft.errors.map((e) => {
        const at = e.linePos?.[0];
        const what = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return `your YAML does not parse${at ? ` (line ${at.line}, column ${at.col} of your block)` : ''}: ${what}`;
      }),
    };
  }
  if (!isMap(draft.contents)) {
    return {
      ok: false,
      problems: ['your block must be a YAML mapping with the top-level key `entities`'],
    };
  }
  const target = parseDocument(original);
  const fileHasExpect = isMap(target.contents) && target.has('expect');
  const allowed = fileHasExpect ? ['entities'] : ['entities', 'expect'];
  const problems: string[] = [];
  const added: { key: string; node: Node }[] = [];
  for (const pair of draft.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!allowed.includes(key)) {
      problems.push(
        key === 'expect'
          ? 'the scenario file already states `expect`: answer only `entities`, keeping to it'
          : `answer only ${allowed.map((k) => `\`${k}\``).join(' and ')}, not \`${key}\` (the file keeps its own ${key === 'description' || key === 'name' ? key : 'other keys'})`,
      );
      continue;
    }
    added.push({ key, node: pair.value as Node });
  }
  if (!added.some((a) => a.key === 'entities')) {
    problems.push('your block has no `entities`');
  }
  if (problems.length > 0) return { ok: false, problems };

  if (!isMap(target.contents) || !target.has('entities')) {
    const tail = new Document();
    for (const { key, node } of added) tail.set(key, node);
    const base = original.length === 0 || original.endsWith('\n') ? original : `${original}\n`;
    return { ok: true, text: base + tail.toString({ lineWidth: 0 }) };
  }
  for (const { key, node } of added) target.set(key, node);
  return { ok: true, text: target.toString({ lineWidth: 0 }) };
}
