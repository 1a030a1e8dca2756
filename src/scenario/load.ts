import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  type Node,
  type YAMLError,
} from 'yaml';
import { error, fail, ok, type Diagnostic, type Result } from '../diagnostics/types.js';
import { Codes } from './codes.js';
import type { ScenarioSource } from './types.js';
import { positioned, refineYamlError } from './yaml-errors.js';

const MAX_YAML_ERRORS = 5;

/** Tags of the YAML 1.2 core schema; anything else (`!!binary`, `!!set`, custom tags) is refused. */
const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

function yamlCode(e: YAMLError): { code: string; hint?: string } {
  switch (e.code) {
    case 'DUPLICATE_KEY':
      return { code: Codes.duplicateKey, hint: 'each key may appear once per mapping' };
    case 'TAB_AS_INDENT':
      return { code: Codes.tabIndent, hint: 'indent with spaces; YAML does not allow tabs' };
    case 'MISSING_CHAR':
      return { code: Codes.unclosed, hint: 'close the quote or bracket opened before this point' };
    case 'MULTIPLE_DOCS':
      return { code: Codes.multipleDocuments, hint: 'put each scenario in its own file' };
    case 'BAD_SCALAR_START':
      return e.message.includes('@')
        ? { code: Codes.yamlSyntax, hint: 'quote values that start with @: tenant: "@acme"' }
        : { code: Codes.yamlSyntax };
    case 'BAD_INDENT':
      // The parser reports an unclosed flow collection as an indentation problem.
      if (/end with a [\]}]/.test(e.message)) {
        return { code: Codes.unclosed, hint: 'close the bracket opened before this point' };
      }
      return {
        code: Codes.badIndent,
        hint: 'items of one mapping or list start at the same column',
      };
    case 'BAD_ALIAS':
    case 'ALIAS_PROPS':
      return { code: Codes.alias };
    case 'TAG_RESOLVE_FAILED':
    case 'BAD_COLLECTION_TYPE':
      return { code: Codes.unsupportedYaml };
    default:
      return { code: Codes.yamlSyntax };
  }
}

/**
 * Structural problems the parser accepts but a scenario must not contain: aliases that contain
 * themselves, aliases to anchors never set, keys that are not plain scalars, non-core tags.
 */
function checkNodes(
  doc: ReturnType<typeof parseDocument>,
  text: string,
  file: string,
  lc: LineCounter,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (n: Node | null | undefined) =>
    n?.range ? positioned(file, lc, n.range[0], n.range[1]) : { file, line: 1, column: 1 };
  const walk = (node: unknown, ancestors: Set<unknown>): void => {
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (target === undefined) {
        out.push(
          error(Codes.alias, `unknown alias *${node.source}`, {
            ...at(node),
            hint: 'an alias must follow the anchor (&name) it refers to',
          }),
        );
      } else if (ancestors.has(target)) {
        out.push(
          error(Codes.alias, `alias *${node.source} refers to a node that contains it`, at(node)),
        );
      }
      return;
    }
    if (isScalar(node) || isCollection(node)) {
      if (node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
        // The node's range starts after its tag; point at the `!` written before it.
        const start = node.range?.[0] ?? 0;
        let bang = text.lastIndexOf('!', start);
        while (bang > 0 && text[bang - 1] === '!') bang--;
        const lineStart = text.lastIndexOf('\n', start - 1) + 1;
        const from = bang >= lineStart ? bang : start;
        out.push(
          error(Codes.unsupportedYaml, `unsupported YAML tag ${node.tag}`, {
            ...positioned(file, lc, from, node.range?.[1] ?? from),
            hint: 'scenarios use plain YAML values: strings, numbers, booleans, null, lists, mappings',
          }),
        );
      }
    }
    if (!isCollection(node)) return;
    const inner = new Set(ancestors).add(node);
    for (const item of node.items) {
      if (isPair(item)) {
        if (item.key !== null && !isScalar(item.key)) {
          out.push(
            error(Codes.unsupportedYaml, 'a mapping key must be a plain value', {
              ...at(item.key as Node),
              hint: 'keys are names such as entities, model or an attribute',
            }),
          );
        }
        walk(item.value, inner);
      } else {
        walk(item, inner);
      }
    }
  };
  walk(doc.contents, new Set());
  return out;
}

/**
 * Parses one scenario file, keeping source positions. `file` is the path relative to the project
 * root with forward slashes; every diagnostic carries it.
 */
export function loadScenario(file: string, text: string): Result<ScenarioSource> {
  const lineCounter = new LineCounter();
  // Merge keys (`<<: *defaults`) are not YAML 1.2 core, but scenario authors expect them.
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
  });
  // Later parse errors mostly follow from the first ones: keep the first error of each line, five at most.
  const lines = new Set<number>();
  const firstErrors = doc.errors.filter((e) => {
    const line = lineCounter.linePos(e.pos[0]).line;
    if (lines.has(line) || lines.size >= MAX_YAML_ERRORS) return false;
    lines.add(line);
    return true;
  });
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const e of firstErrors) {
    const { code, hint } = yamlCode(e);
    const d =
      refineYamlError(e, file, text, doc, lineCounter) ??
      error(code, e.message, {
        ...positioned(file, lineCounter, e.pos[0], e.pos[1]),
        ...(hint === undefined ? {} : { hint }),
      });
    // Several parser errors can come down to one unclosed quote or one misindented line.
    const key = `${d.code}:${d.line}:${d.column}`;
    if (!seen.has(key)) diagnostics.push(d);
    seen.add(key);
  }
  if (diagnostics.length > 0) return fail(diagnostics);
  const structural = checkNodes(doc, text, file, lineCounter);
  if (structural.length > 0) return fail(structural);
  const warnings = doc.warnings.map((w) =>
    error(yamlCode(w).code, w.message, positioned(file, lineCounter, w.pos[0], w.pos[1])),
  );
  if (warnings.length > 0) return fail(warnings);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    return fail([
      error(Codes.alias, `cannot expand the document: ${(cause as Error).message}`, {
        file,
        line: 1,
        column: 1,
      }),
    ]);
  }
  if (data === null || data === undefined) {
    return fail([
      error(Codes.notAMapping, 'the scenario is empty', {
        file,
        line: 1,
        column: 1,
        hint: 'a scenario is a mapping with at least entities or a description',
      }),
    ]);
  }
  if (!isMap(doc.contents)) {
    const range = (doc.contents as Node | null)?.range;
    return fail([
      error(Codes.notAMapping, 'a scenario must be a mapping of keys such as entities', {
        ...(range
          ? positioned(file, lineCounter, range[0], range[1])
          : { file, line: 1, column: 1 }),
        hint: 'start with "entities:" or "description:"',
      }),
    ]);
  }
  return ok({ file, text, data, doc, lineCounter });
}
