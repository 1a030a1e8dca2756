/**
 * The YAML examples of README.md and docs/*.md, and what each must do. A fenced ```yaml block is
 * one whole file; its leading comment lines say which:
 *
 *     # fixturegen.yaml            a configuration file (loaded by the real config loader)
 *     # scenarios/base.yaml        a scenario file of that name (without it: scenarios/<page>_<n>.yaml)
 *     # expect: FG203 is_active    must fail with FG203, the rest of the line in its message or hint
 *     # .gitlab-ci.yml             another tool's file (a path starting with a dot): it must parse
 *
 * A block without `# expect:` must be valid. A scenario is compiled against the sample catalog
 * (test/corpus/catalog.json: crm.models plus corpus_extra) together with the blocks of the same
 * page that it extends, found by scenario name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO } from '../support/python.js';

export interface Expected {
  readonly code: string;
  /** Must occur in the message or the hint; may be empty. */
  readonly fragment: string;
}

export interface Example {
  readonly kind: 'config' | 'scenario' | 'other';
  /** `docs/scenarios.md:42`: where the block starts. */
  readonly at: string;
  readonly page: string;
  /** As the compiler sees it: `scenarios/<name>.yaml`, or `fixturegen.yaml`. */
  readonly file: string;
  readonly text: string;
  readonly expect: readonly Expected[];
}

export const PAGES = [
  'README.md',
  ...readdirSync(join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

const EXPECT = /^#\s*expect:\s*(FG\d{3})\b\s*(.*)$/;
const FILE = /^#\s*((?:scenarios\/[\w/.-]+\.ya?ml)|fixturegen\.yaml)\s*$/;
const OTHER = /^#\s*(\.[\w/.-]+\.ya?ml)\s*$/;

function fromBlock(page: string, line: number, n: number, text: string): Example {
  const leading: string[] = [];
  for (const l of text.split('\n')) {
    if (!l.startsWith('#')) break;
    leading.push(l.trimEnd());
  }
  const named = leading.map((l) => FILE.exec(l)?.[1]).find((f) => f !== undefined);
  const other = leading.map((l) => OTHER.exec(l)?.[1]).find((f) => f !== undefined);
  const expect = leading.flatMap((l) => {
    const m = EXPECT.exec(l);
    return m ? [{ code: m[1]!, fragment: m[2]!.trim() }] : [];
  });
  const stem = page
    .replace(/^docs\//, '')
    .replace(/\W+/g, '_')
    .toLowerCase();
  return {
    kind: named === 'fixturegen.yaml' ? 'config' : other !== undefined ? 'other' : 'scenario',
    at: `${page}:${line}`,
    page,
    file: named ?? other ?? `scenarios/${stem}_${n}.yaml`,
    text,
    expect,
  };
}

/** Every ```yaml block of the page, in order. */
export function examplesOf(page: string, markdown: string): Example[] {
  const out: Example[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) {
      body.push(lines[j]!.slice(open[1]!.length));
    }
    if (open[2] === 'yaml' || open[2] === 'yml') {
      out.push(fromBlock(page, i + 1, out.length + 1, `${body.join('\n')}\n`));
    }
    i = j;
  }
  return out;
}

export function allExamples(): Example[] {
  return PAGES.flatMap((p) => examplesOf(p, readFileSync(join(REPO, p), 'utf8')));
}

/** The scenario's name: its `name:`, else its file stem. */
export function scenarioName(e: Example): string {
  let data: unknown = null;
  try {
    data = parse(e.text);
  } catch {
    // A block that does not parse has no name; it is expected to fail on its own.
  }
  const name = (data as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : e.file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
}

function extendsOf(e: Example): string[] {
  try {
    const ext = (parse(e.text) as { extends?: unknown } | null)?.extends;
    return typeof ext === 'string' ? [ext] : Array.isArray(ext) ? ext.map(String) : [];
  } catch {
    return [];
  }
}

/** The example and the scenarios of its page that it extends, directly or through others. */
export function withParents(e: Example, page: readonly Example[]): Example[] {
  const scenarios = page.filter((x) => x.kind === 'scenario');
  const out = [e];
  const todo = extendsOf(e);
  while (todo.length > 0) {
    const name = todo.shift()!;
    const found = scenarios.filter((x) => x !== e && scenarioName(x) === name);
    if (found.length > 1) throw new Error(`${e.at}: several examples on the page are "${name}"`);
    const parent = found[0];
    if (parent && !out.includes(parent)) {
      out.push(parent);
      todo.push(...extendsOf(parent));
    }
  }
  return out;
}

export interface Link {
  readonly at: string;
  readonly target: string;
}

/** Relative links (`[text](target)`) outside code blocks. */
export function linksOf(page: string, markdown: string): Link[] {
  const out: Link[] = [];
  let fenced = false;
  markdown.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) return;
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z]+:/i.test(m[1]!)) out.push({ at: `${page}:${i + 1}`, target: m[1]! });
    }
  });
  return out;
}

/** GitHub's anchor for a heading. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}
