/**
 * The documentation holds up: every YAML example of README.md and docs/ is checked by the real
 * config loader or scenario compiler (valid, or failing with the code it says), every code it
 * names exists, and every link stays inside the repository and finds its file and heading.
 * The table of codes is checked by test/diagnostics/registry.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseDocument } from 'yaml';
import { isDiagnosticCode } from '../../src/diagnostics/codes.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { loadConfig } from '../../src/config/load.js';
import { compileScenarios } from '../../src/scenario/index.js';
import { capturedCatalog, DEFAULT_MODELS } from '../corpus/corpus.js';
import { REPO } from '../support/python.js';
import { allExamples, linksOf, PAGES, slug, withParents, type Example } from './examples.js';

const EXAMPLES = allExamples();
const read = (page: string) => readFileSync(join(REPO, page), 'utf8');
const show = (list: readonly Diagnostic[]) =>
  list.map((d) => `  ${d.code} ${d.line ?? ''}:${d.column ?? ''} ${d.message} | ${d.hint ?? ''}`);

function diagnosticsOf(e: Example): readonly Diagnostic[] {
  if (e.kind === 'other') {
    // Another tool's file (a CI job, a pre-commit config): fixturegen reads none; it must parse.
    parseDocument(e.text, { prettyErrors: false }).errors.forEach((err) => {
      throw new Error(`${e.at}: ${err.message}`);
    });
    return [];
  }
  if (e.kind === 'config') {
    const dir = mkdtempSync(join(tmpdir(), 'fixturegen-docs-'));
    try {
      writeFileSync(join(dir, 'fixturegen.yaml'), e.text);
      // A project has its scenarios folder (a missing one is FG603): the one the example names.
      const named = (parseDocument(e.text).toJS() as { scenarios?: unknown } | null)?.scenarios;
      mkdirSync(join(dir, typeof named === 'string' ? named : 'scenarios'), { recursive: true });
      const r = loadConfig({ cwd: dir, env: {} });
      return r.ok ? [] : r.diagnostics;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const files = withParents(
    e,
    EXAMPLES.filter((x) => x.page === e.page),
  );
  const r = compileScenarios(
    files.map((f) => ({ file: f.file, text: f.text })),
    capturedCatalog(),
    { defaultModels: DEFAULT_MODELS },
  );
  const failed = r.failures.find((f) => f.file === e.file)?.diagnostics ?? [];
  if (failed.length === 0)
    expect(
      r.plans.some((p) => p.source === e.file),
      e.at,
    ).toBe(true);
  return failed;
}

describe('YAML examples of the docs', () => {
  test('there are examples of each kind, valid and failing', () => {
    expect(
      EXAMPLES.filter((e) => e.kind === 'scenario' && e.expect.length === 0).length,
    ).toBeGreaterThanOrEqual(10);
    expect(
      EXAMPLES.filter((e) => e.kind === 'scenario' && e.expect.length > 0).length,
    ).toBeGreaterThanOrEqual(10);
    expect(EXAMPLES.filter((e) => e.kind === 'config').length).toBeGreaterThanOrEqual(3);
  });

  test.each(EXAMPLES.map((e) => [e.at, e] as const))('%s', (_at, e) => {
    for (const x of e.expect) expect(isDiagnosticCode(x.code), `${e.at}: ${x.code}`).toBe(true);
    const got = diagnosticsOf(e);
    const context = `${e.at} (${e.file}) gave:\n${show(got).join('\n')}`;
    expect([...new Set(got.map((d) => d.code))].sort(), context).toEqual(
      [...new Set(e.expect.map((x) => x.code))].sort(),
    );
    for (const x of e.expect) {
      const texts = got
        .filter((d) => d.code === x.code)
        .map((d) => `${d.message}\n${d.hint ?? ''}`);
      expect(
        texts.some((t) => t.includes(x.fragment)),
        `${context}\nwanted "${x.fragment}"`,
      ).toBe(true);
    }
  });
});

describe('the pages', () => {
  test('every code they name is a registered code', () => {
    const unknown = PAGES.flatMap((p) =>
      [...read(p).matchAll(/\bFG\d{3}\b/g)]
        .map((m) => m[0])
        .filter((c) => !isDiagnosticCode(c))
        .map((c) => `${p}: ${c}`),
    );
    expect(unknown).toEqual([]);
  });

  test('every relative link finds its file inside the repository, and its heading', () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      for (const link of linksOf(page, read(page))) {
        const [path, anchor] = link.target.split('#') as [string, string | undefined];
        const file = path === '' ? join(REPO, page) : resolve(dirname(join(REPO, page)), path);
        const rel = relative(REPO, file);
        if (rel.startsWith('..') || !existsSync(file)) {
          broken.push(`${link.at}: ${link.target} is not a file of the repository`);
          continue;
        }
        if (anchor && file.endsWith('.md')) {
          const headings = [...read(rel).matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1]!));
          if (!headings.includes(anchor))
            broken.push(`${link.at}: no heading #${anchor} in ${rel}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
