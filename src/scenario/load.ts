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
import { Codes, type Code } from '../diagnostics/scenario-codes.js';
import type { ScenarioSource } from './types.js';
import { checkEntities, checkTree, LIMITS, prescan, type LimitProblem } from './limits.js';
import { duplicateKeyErrors, positioned, refineYamlError } from './yaml-errors.js';

const MAX_YAML_ERRORS = 5;
/**
 * Parser errors looked at, first by position: explaining one reads the whole text, and a file of
 * garbage has thousands. At most five lines are reported anyway.
 */
const MAX_ERRORS_EXPLAINED = 25;

/** Tags of the YAML 1.2 core schema; anything else (`!!binary`, `!!set`, custom tags) is refused. */
const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

function yamlCode(e: YAMLError): { code: Code; hint: string } {
  const syntax = (hint: string) => ({ code: Codes.yamlSyntax, hint });
  switch (e.code) {
    case 'DUPLICATE_KEY':
      return { code: Codes.duplicateKey, hint: 'each key may appear once per mapping' };
    case 'TAB_AS_INDENT':
      return { code: Codes.tabIndent, hint: 'indent with spaces; YAML does not allow tabs' };
    case 'MISSING_CHAR':
      if (/map values/.test(e.message)) return syntax('write ": " after the key');
      return { code: Codes.unclosed, hint: 'close the quote or bracket opened before this point' };
    case 'MULTIPLE_DOCS':
      return { code: Codes.multipleDocuments, hint: 'put each scenario in its own file' };
    case 'BAD_SCALAR_START':
      return e.message.includes('@')
        ? syntax('quote values that start with @: tenant: "@acme"')
        : syntax('quote values that start with a special character such as ` % | > or @');
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
      return { code: Codes.alias, hint: 'write *name for an alias of a value anchored as &name' };
    case 'TAG_RESOLVE_FAILED':
    case 'BAD_COLLECTION_TYPE':
      return {
        code: Codes.unsupportedYaml,
        hint: 'scenarios use plain YAML values: strings, numbers, booleans, null, lists, mappings',
      };
    case 'MULTILINE_IMPLICIT_KEY':
      return syntax(
        'a key must fit on one line: look for a quote or bracket opened here and closed only later',
      );
    case 'BLOCK_AS_IMPLICIT_KEY':
      return syntax('check the indentation of this line and of the one after it');
    case 'BLOCK_IN_FLOW':
      return syntax('inside [ ] and { } write the items on one line, separated by commas');
    case 'BAD_DQ_ESCAPE':
      return syntax('in double quotes \\ starts an escape: write \\\\, or use single quotes');
    case 'MULTIPLE_ANCHORS':
    case 'MULTIPLE_TAGS':
    case 'BAD_PROP_ORDER':
      return syntax('give a value at most one &anchor, written before it');
    case 'BAD_DIRECTIVE':
      return syntax('remove the % directive line');
    // Named one by one so that a yaml release with a new code fails to compile here.
    case 'IMPOSSIBLE':
    case 'KEY_OVER_1024_CHARS':
    case 'NON_STRING_KEY':
    case 'RESOURCE_EXHAUSTION':
    case 'UNEXPECTED_TOKEN':
      return syntax('check the YAML syntax here: "key: value", list items "- value", quoted text');
  }
}

/**
 * An unclosed quote or bracket swallows what follows it, and the parser's complaints about that
 * text are consequences: keep the unclosed one and what comes before it.
 */
function afterUnclosed(list: readonly Diagnostic[]): Diagnostic[] {
  const first = list
    .filter((d) => d.code === Codes.unclosed)
    .sort((a, b) => a.line! - b.line! || a.column! - b.column!)[0];
  if (first === undefined) return [...list];
  return list.filter(
    (d) =>
      d === first || d.line! < first.line! || (d.line === first.line && d.column! < first.column!),
  );
}

/** Text with half of a UTF-16 surrogate pair (`"\udc00"`): no file or program can hold it. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Structural problems the parser accepts but a scenario must not contain: aliases that contain
 * themselves, aliases to anchors never set, keys that are not plain scalars, non-core tags, text
 * that is not valid Unicode. Anchors are collected as the walk meets them, in document order, so
 * an alias resolves in constant time (the parser's own lookup scans the whole document).
 */
function checkNodes(
  doc: ReturnType<typeof parseDocument>,
  text: string,
  file: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const anchors = new Map<string, unknown>();
  const at = (n: Node | null | undefined) =>
    n?.range ? positioned(file, text, n.range[0], n.range[1]) : { file, line: 1, column: 1 };
  const checkText = (node: unknown): void => {
    if (isScalar(node) && typeof node.value === 'string' && LONE_SURROGATE.test(node.value)) {
      out.push(
        error(Codes.badText, 'this text holds half of a UTF-16 surrogate pair, not a character', {
          ...at(node),
          hint: 'write the character itself, or both halves of the pair (\\ud83d\\ude00)',
        }),
      );
    }
  };
  const walk = (node: unknown, ancestors: Set<unknown>): void => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) {
        out.push(
          error(Codes.alias, `unknown alias *${node.source}`, {
            ...at(node),
            hint: 'an alias must follow the anchor (&name) it refers to',
          }),
        );
      } else if (ancestors.has(target)) {
        out.push(
          error(Codes.alias, `alias *${node.source} refers to a node that contains it`, {
            ...at(node),
            hint: 'an alias cannot repeat the value it is part of',
          }),
        );
      }
      return;
    }
    if (isScalar(node) || isCollection(node)) {
      if (node.anchor) anchors.set(node.anchor, node);
      checkText(node);
      if (node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
        // The node's range starts after its tag; point at the `!` written before it.
        const start = node.range?.[0] ?? 0;
        let bang = text.lastIndexOf('!', start);
        while (bang > 0 && text[bang - 1] === '!') bang--;
        const lineStart = text.lastIndexOf('\n', start - 1) + 1;
        const from = bang >= lineStart ? bang : start;
        out.push(
          error(Codes.unsupportedYaml, `unsupported YAML tag ${node.tag}`, {
            ...positioned(file, text, from, node.range?.[1] ?? from),
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
        } else checkText(item.key);
        walk(item.value, inner);
      } else {
        walk(item, inner);
      }
    }
  };
  walk(doc.contents, new Set());
  return out;
}

/** A limit passed, as a diagnostic at the place it is passed. */
function limitDiagnostic(file: string, text: string, problem: LimitProblem): Diagnostic {
  return error(Codes.beyondLimits, problem.message, {
    ...positioned(file, text, problem.offset, problem.offset + 1),
    hint: problem.hint,
  });
}

/**
 * Parses one scenario file, keeping source positions. `file` is the path relative to the project
 * root with forward slashes; every diagnostic carries it.
 */
export function loadScenario(file: string, text: string): Result<ScenarioSource> {
  if (text.length > LIMITS.scenarioBytes) {
    return fail([
      error(
        Codes.beyondLimits,
        `the file holds ${text.length} characters; a scenario holds at most ${LIMITS.scenarioBytes}`,
        {
          file,
          line: 1,
          column: 1,
          hint: 'split it into scenarios that extend one another',
        },
      ),
    ]);
  }
  const early = prescan(text, 'the scenario');
  if (early !== null) return fail([limitDiagnostic(file, text, early)]);
  const lineCounter = new LineCounter();
  // Merge keys (`<<: *defaults`) are not YAML 1.2 core, but scenario authors expect them.
  // A file of garbage makes tens of thousands of parser errors, and capturing a stack trace for
  // each costs more than the parse itself: none of them is ever shown.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let doc;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  const explained = [...doc.errors, ...duplicateKeyErrors(doc)]
    .sort((a, b) => a.pos[0] - b.pos[0])
    .slice(0, MAX_ERRORS_EXPLAINED);
  const all: Diagnostic[] = explained.map((e) => {
    const { code, hint } = yamlCode(e);
    return (
      refineYamlError(e, file, text, doc) ??
      error(code, e.message, {
        // The parser may point one past the end of the text.
        ...positioned(file, text, e.pos[0], e.pos[1]),
        hint,
      })
    );
  });
  // Several parser errors can come down to one unclosed quote or one misindented line, and later
  // ones mostly follow from the first: keep the first of each line, five lines at most.
  const lines = new Set<number>();
  const diagnostics = afterUnclosed(all).filter((d) => {
    if (lines.has(d.line!) || lines.size >= MAX_YAML_ERRORS) return false;
    lines.add(d.line!);
    return true;
  });
  if (diagnostics.length > 0) return fail(diagnostics);
  const deep = checkTree(doc.contents, 'the scenario');
  if (deep !== null) return fail([limitDiagnostic(file, text, deep)]);
  const structural = checkNodes(doc, text, file);
  if (structural.length > 0) return fail(structural);
  const warnings = doc.warnings.map((w) =>
    error(yamlCode(w).code, w.message, {
      ...positioned(file, text, w.pos[0], w.pos[1]),
      hint: yamlCode(w).hint,
    }),
  );
  if (warnings.length > 0) return fail(warnings);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: LIMITS.expandedNodes });
  } catch (cause) {
    return fail([
      error(Codes.alias, `cannot expand the document: ${(cause as Error).message}`, {
        file,
        line: 1,
        column: 1,
        hint: 'use fewer nested aliases (*name); write the values out instead',
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
        ...(range ? positioned(file, text, range[0], range[1]) : { file, line: 1, column: 1 }),
        hint: 'start with "entities:" or "description:"',
      }),
    ]);
  }
  const many = checkEntities(doc.contents, data);
  if (many !== null) return fail([limitDiagnostic(file, text, many)]);
  return ok({ file, text, data, doc, lineCounter });
}
