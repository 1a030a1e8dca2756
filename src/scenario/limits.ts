/**
 * Limits on what one input file may hold, so that no file, however written, takes unbounded time
 * or memory: its size, how deep it nests, how many aliases it uses, how many entities it declares.
 * Each is far beyond what a scenario needs and small enough that every later stage stays fast.
 */
import { isAlias, isCollection, isMap, isPair, Lexer, type Node, type YAMLMap } from 'yaml';

import { LIMITS } from './limit-values.js';

export { LIMITS };

export interface LimitProblem {
  /** Offset into the text where the limit is passed. */
  readonly offset: number;
  readonly message: string;
  readonly hint: string;
}

/** Tokens of the lexer that stand for no source text. */
const SYNTHETIC = new Set(['\x02', '\x18', '\x1f']);

/**
 * A scan of the text's tokens before it is parsed: flow brackets nested too deep (the parser's
 * own handling of 250,000 `[` runs out of memory), or too many aliases. The lexer is linear and
 * is stopped at the first limit passed.
 */
export function prescan(text: string, what: string): LimitProblem | null {
  let depth = 0;
  let aliases = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      depth++;
      if (depth > LIMITS.depth) return tooDeep(offset, what);
    } else if (token === ']' || token === '}') {
      if (depth > 0) depth--;
    } else if (token.startsWith('*')) {
      aliases++;
      if (aliases > LIMITS.aliases) return tooManyAliases(offset, what);
    }
    if (!SYNTHETIC.has(token)) offset += token.length;
  }
  return null;
}

function tooDeep(offset: number, what: string): LimitProblem {
  return {
    offset,
    message: `${what} nests lists and mappings more than ${LIMITS.depth} deep here`,
    hint: 'close the brackets opened before this point, or flatten the value',
  };
}

function tooManyAliases(offset: number, what: string): LimitProblem {
  return {
    offset,
    message: `${what} uses more than ${LIMITS.aliases} aliases (*name)`,
    hint: 'write the values out, or split the file',
  };
}

/** The same limits checked exactly on the parsed document, without recursion. */
export function checkTree(root: Node | null | undefined, what: string): LimitProblem | null {
  if (root === null || root === undefined) return null;
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 1 }];
  let aliases = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isAlias(node)) {
      aliases++;
      if (aliases > LIMITS.aliases) return tooManyAliases(node.range?.[0] ?? 0, what);
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth > LIMITS.depth) return tooDeep(node.range?.[0] ?? 0, what);
    for (const item of node.items) {
      if (isPair(item)) {
        stack.push({ node: item.key, depth: depth + 1 });
        stack.push({ node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return null;
}

/** Too many entities, or too many instances of them all together. */
export function checkEntities(root: YAMLMap | null, data: unknown): LimitProblem | null {
  const labels = (data as { entities?: unknown } | null)?.entities;
  if (labels === null || typeof labels !== 'object') return null;
  const node = isMap(root) ? (root.get('entities', true) as Node | undefined) : undefined;
  const offset = node?.range?.[0] ?? 0;
  const entities = Object.values(labels);
  if (entities.length > LIMITS.entities) {
    return {
      offset,
      message: `the scenario declares ${entities.length} entities; at most ${LIMITS.entities} are read`,
      hint: 'use count: for many rows of one kind, or split the scenario and extend it',
    };
  }
  let instances = 0;
  for (const entity of entities) {
    const count = (entity as { count?: unknown } | null)?.count;
    instances += typeof count === 'number' && count > 1 ? Math.min(count, 1e9) : 1;
  }
  if (instances > LIMITS.instances) {
    return {
      offset,
      message: `the scenario's entities make ${instances} instances together; at most ${LIMITS.instances} are read`,
      hint: 'lower the counts: a test rarely needs more than a few hundred rows of a kind',
    };
  }
  return null;
}
