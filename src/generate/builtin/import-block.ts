/**
 * The import block of a generated module, sorted as isort and ruff's `I` rules sort it by default:
 * sections (`__future__`, standard library, third party, first party) one blank line apart;
 * `import x` before `from x import y` in a section; modules in case-insensitive natural order; in
 * a `from` import the names constants first, then classes, then the rest; an aliased name in a
 * statement of its own; a line too long for 88 columns spread one name per line.
 */
import { LINE_WIDTH, width } from './layout.js';

export interface FromImport {
  readonly module: string;
  readonly name: string;
  readonly alias?: string;
}

/** Where a module is found: in the project (first party) or installed (third party). */
export type IsFirstParty = (module: string) => boolean;

const STDLIB = new Set([
  'collections',
  'dataclasses',
  'datetime',
  'decimal',
  'difflib',
  'enum',
  'json',
  'os',
  'typing',
  'uuid',
]);

type Section = 0 | 1 | 2 | 3;

function sectionOf(module: string, firstParty: IsFirstParty): Section {
  const top = module.split('.')[0]!;
  if (top === '__future__') return 0;
  if (STDLIB.has(top)) return 1;
  return firstParty(module) ? 3 : 2;
}

/** Natural order of lower-cased text: digit runs compare as numbers (`Model2` < `Model10`). */
function natural(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const digit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (digit(x[i]) && digit(y[j])) {
      let p = i;
      let q = j;
      while (digit(x[p])) p++;
      while (digit(y[q])) q++;
      const d = BigInt(x.slice(i, p)) - BigInt(y.slice(j, q));
      if (d !== 0n) return d < 0n ? -1 : 1;
      i = p;
      j = q;
    } else if (x[i] !== y[j]) {
      return x[i]! < y[j]! ? -1 : 1;
    } else {
      i++;
      j++;
    }
  }
  if (x.length - i !== y.length - j) return x.length - i - (y.length - j);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** isort's member types: CONSTANT, Class, variable. */
function memberType(name: string): number {
  if (name.length > 1 && name === name.toUpperCase() && name !== name.toLowerCase()) return 0;
  return /^[A-Z]/.test(name) ? 1 : 2;
}

function memberOrder(a: FromImport, b: FromImport): number {
  return (
    memberType(a.name) - memberType(b.name) ||
    natural(a.name, b.name) ||
    natural(a.alias ?? '', b.alias ?? '')
  );
}

function fromLine(module: string, names: readonly FromImport[]): string {
  const items = names.map((n) => (n.alias ? `${n.name} as ${n.alias}` : n.name));
  const one = `from ${module} import ${items.join(', ')}`;
  if (width(one) <= LINE_WIDTH) return one;
  return `from ${module} import (\n${items.map((i) => `    ${i},\n`).join('')})`;
}

export function importBlock(
  straight: readonly string[],
  froms: readonly FromImport[],
  firstParty: IsFirstParty,
): string {
  const sections: string[][] = [[], [], [], []];
  const modules = [...new Set(straight)].sort(natural);
  for (const m of modules) sections[sectionOf(m, firstParty)]!.push(`import ${m}`);

  const byModule = new Map<string, FromImport[]>();
  for (const f of froms) byModule.set(f.module, [...(byModule.get(f.module) ?? []), f]);
  const statements: { module: string; names: FromImport[] }[] = [];
  for (const [module, names] of byModule) {
    const plain = names.filter((n) => !n.alias).sort(memberOrder);
    if (plain.length > 0) statements.push({ module, names: plain });
    for (const n of names.filter((x) => x.alias)) statements.push({ module, names: [n] });
  }
  statements.sort((a, b) => natural(a.module, b.module) || memberOrder(a.names[0]!, b.names[0]!));
  for (const s of statements) {
    sections[sectionOf(s.module, firstParty)]!.push(fromLine(s.module, s.names));
  }
  return sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join('\n'))
    .join('\n\n');
}
