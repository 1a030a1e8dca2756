/**
 * Mutations of valid inputs for the fuzz suite: a text and one to four edits, each a character
 * edit at a YAML-significant point, a line edit, a value swapped for one of the inputs that once
 * crashed or hung fixturegen, or a block of repetition (aliases, brackets, entities). Everything
 * is drawn by fast-check from a fixed seed, so a failure names its case and replays.
 */
import fc from 'fast-check';

/** Characters that mean something to YAML, or to fixturegen's value forms, or to neither. */
const CHARS = [
  ':',
  '-',
  '[',
  ']',
  '{',
  '}',
  ',',
  '"',
  "'",
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  '@',
  '%',
  '?',
  '\t',
  '\n',
  ' ',
  '\\',
  '\u0000',
  '\udc00',
  '\ufeff',
  'é',
  '0',
  '9',
  'e',
  'x',
  '_',
  '.',
  '<',
];

/** Values that crashed, hung or leaked before (issue 9), and their neighbours. */
export const HOSTILE_VALUES = [
  '"1e999999999"',
  '"1e-300000"',
  '1e999999999',
  '-1e-300000',
  '.nan',
  '.inf',
  '-.inf',
  '-0',
  '0x7fffffffffffffffffffffff',
  `"${'9'.repeat(1200)}"`,
  '"12.345678901234567890e400"',
  '"\\udc00"',
  '"\\ud800x"',
  '"@acme[i % 0]"',
  '"@acme[i // 0]"',
  '"@@"',
  '"@"',
  '"{i}{n}{x}"',
  '"{"',
  '~',
  '[]',
  '{}',
  '*nowhere',
  '&a x',
  '!!binary aGk=',
  '!secret x',
  `${'x'.repeat(5000)}`,
  'tmp_path',
  'conftest',
  'monkeypatch',
  'request',
  '__init__',
  'list',
  'a'.repeat(300),
  `[${Array(50).fill('[').join('')}`,
  '"2024-02-30"',
  '"25:61"',
  '"00000000-0000-0000-0000-00000000000g"',
  '100001',
  '0',
  '-1',
  '3.5',
  'true',
  'null',
  '"@users[i]"',
  '{cycle: []}',
  '{cycle: [*a, *a]}',
];

/** Repeated blocks, each near or past one limit. */
const BLOCKS = [
  (n: number) =>
    `\nx: &a [${Array(n).fill('1').join(', ')}]\ny: [${Array(n).fill('*a').join(', ')}]\n`,
  (n: number) => `\nz: ${'['.repeat(n)}`,
  (n: number) => `\nz: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`,
  (n: number) =>
    `\nentities:\n${Array.from({ length: n }, (_, i) => `  e${i}: {model: Tenant, count: 100000}`).join('\n')}\n`,
  (n: number) =>
    `\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`,
];

export type Edit =
  | { kind: 'insert' | 'replace'; at: number; char: string }
  | { kind: 'delete' | 'truncate'; at: number }
  | { kind: 'line'; at: number; op: 'duplicate' | 'delete' | 'indent' | 'dedent' | 'swap' }
  | { kind: 'value'; at: number; value: string }
  | { kind: 'block'; which: number; n: number };

const at = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

/** Mostly small edits; now and then a block near a limit, which costs more to compile. */
export const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom('insert' as const, 'replace' as const),
      at,
      char: fc.constantFrom(...CHARS),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'truncate' as const), at }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('line' as const),
      at,
      op: fc.constantFrom(
        'duplicate' as const,
        'delete' as const,
        'indent' as const,
        'dedent' as const,
        'swap' as const,
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('value' as const),
      at,
      value: fc.constantFrom(...HOSTILE_VALUES),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('block' as const),
      which: fc.nat({ max: BLOCKS.length - 1 }),
      n: fc.constantFrom(10, 63, 65, 999, 1001, 1500),
    }),
  },
);

/** Applies one edit; `at` is a fraction of the text (or of its lines, or of its values). */
export function apply(text: string, e: Edit): string {
  const pos = (n: number) => Math.floor(e.kind === 'block' ? 0 : e.at * (n + 1));
  switch (e.kind) {
    case 'insert': {
      const k = pos(text.length);
      return text.slice(0, k) + e.char + text.slice(k);
    }
    case 'replace': {
      const k = pos(text.length - 1);
      return text.slice(0, k) + e.char + text.slice(k + 1);
    }
    case 'delete': {
      const k = pos(text.length - 1);
      return text.slice(0, k) + text.slice(k + 1);
    }
    case 'truncate':
      return text.slice(0, pos(text.length));
    case 'line': {
      const lines = text.split('\n');
      const k = Math.min(pos(lines.length - 1), lines.length - 1);
      const line = lines[k]!;
      if (e.op === 'duplicate') lines.splice(k, 0, line);
      else if (e.op === 'delete') lines.splice(k, 1);
      else if (e.op === 'indent') lines[k] = `  ${line}`;
      else if (e.op === 'dedent') lines[k] = line.replace(/^ {1,2}/, '');
      else if (k + 1 < lines.length) [lines[k], lines[k + 1]] = [lines[k + 1]!, line];
      return lines.join('\n');
    }
    case 'value': {
      // The value after one of the `key: ` separators, or a list item.
      const seps = [...text.matchAll(/(?::|^\s*-) +(?=\S)/gm)];
      if (seps.length === 0) return `${text}\n${e.value}`;
      const m = seps[Math.min(pos(seps.length - 1), seps.length - 1)]!;
      const start = m.index + m[0].length;
      let end = start;
      while (end < text.length && !/[\n,}\]]/.test(text[end]!)) end++;
      return text.slice(0, start) + e.value + text.slice(end);
    }
    case 'block':
      return text + BLOCKS[e.which]!(e.n);
  }
}

export const mutate = (text: string, edits: readonly Edit[]): string => edits.reduce(apply, text);
