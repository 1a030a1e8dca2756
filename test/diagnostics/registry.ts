/**
 * What the diagnostics registry (src/diagnostics/codes.ts) generates: the table of
 * docs/diagnostics.md and python/fixturegen_helper/diagnostic_codes.py, and where codes are used.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { registry, STAGES } from '../../src/diagnostics/codes.js';
import { REPO } from '../support/python.js';

export const REGISTRY_FILE = 'src/diagnostics/codes.ts';
export const PYTHON_CODES_FILE = 'python/fixturegen_helper/diagnostic_codes.py';
export const DOCS_FILE = 'docs/diagnostics.md';
export const TABLE_START =
  '<!-- diagnostics table: generated from src/diagnostics/codes.ts by test/diagnostics/registry.test.ts (UPDATE_DOCS=1) -->';
export const TABLE_END = '<!-- end of the diagnostics table -->';

const cell = (text: string) => text.replaceAll('|', '\\|');

export function diagnosticsTable(): string {
  const entries = registry();
  const rows = [
    '| code | meaning | example: what was written → what fixturegen says |',
    '|---|---|---|',
  ];
  for (const [digit, { about }] of Object.entries(STAGES)) {
    const inStage = entries.filter((e) => e.code[2] === digit);
    rows.push(`| **FG${digit}xx** | **${about}** | ${inStage.length === 0 ? 'none so far' : ''} |`);
    for (const e of inStage) rows.push(`| ${e.code} | ${cell(e.title)} | ${cell(e.example)} |`);
  }
  return rows.join('\n');
}

export function pythonCodesModule(): string {
  const lines = registry().map(
    (e) =>
      `    ${JSON.stringify(e.code)}: (${JSON.stringify(e.stage)}, ${JSON.stringify(e.title)}),`,
  );
  return [
    '"""The diagnostic codes fixturegen reports: code -> (stage, title).',
    '',
    `Generated from ${REGISTRY_FILE}; do not edit. Change the registry, then run`,
    '`UPDATE_REGISTRY=1 npx vitest run test/diagnostics/registry.test.ts`.',
    '"""',
    '',
    'CODES: dict[str, tuple[str, str]] = {',
    ...lines,
    '}',
    '',
  ].join('\n');
}

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(name) ? [p] : [];
  });
}

export interface Use {
  readonly code: string;
  /** `path:line`, relative to the repository. */
  readonly at: string;
}

/** Every FG code written in src/ or the Python helper, outside the registry and what it generates. */
export function codeUses(): Use[] {
  const skip = new Set([REGISTRY_FILE, PYTHON_CODES_FILE]);
  const uses: Use[] = [];
  for (const f of [
    ...files(join(REPO, 'src'), /\.ts$/),
    ...files(join(REPO, 'python', 'fixturegen_helper'), /\.py$/),
  ]) {
    const rel = relative(REPO, f).split('\\').join('/');
    if (skip.has(rel)) continue;
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const m of line.matchAll(/\bFG[1-6][0-9]{2}\b/g)) {
          uses.push({ code: m[0], at: `${rel}:${i + 1}` });
        }
      });
  }
  return uses;
}
