/**
 * Every malformed scenario of the corpus through the real compiler, with the catalog the Python
 * helper introspects from crm.models (and corpus_extra): each file fails with exactly the
 * diagnostics its `# expect:` lines name, at the offending node, with a hint.
 */
import { writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Catalog } from '../../src/catalog/types.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { Codes, compileScenarios } from '../../src/scenario/index.js';
import {
  CATALOG_FILE,
  capturedCatalog,
  compileWith,
  DEFAULT_MODELS,
  introspectCorpusModels,
  loadCorpus,
  withinFile,
  type CorpusFile,
} from './corpus.js';

const CASES = loadCorpus();
const FILES = CASES.flatMap((c) => c.files);
const MALFORMED = FILES.filter((f) => f.expect.length > 0);

let catalog: Catalog;
beforeAll(async () => {
  catalog = await introspectCorpusModels();
});

const show = (d: Diagnostic) => `${d.code} ${d.line}:${d.column}`;

function checkFile(f: CorpusFile, got: readonly Diagnostic[]): void {
  const context = `${f.source}:\n${got.map((d) => `  ${show(d)} ${d.message} | ${d.hint ?? ''}`).join('\n')}`;
  expect(got.map(show).sort(), context).toEqual(
    f.expect.map((e) => `${e.code} ${e.line}:${e.column}`).sort(),
  );
  for (const e of f.expect) {
    const d = got.find((x) => x.code === e.code && x.line === e.line && x.column === e.column)!;
    expect(`${d.message}\n${d.hint ?? ''}`, context).toContain(e.fragment);
  }
  for (const d of got) {
    expect(d.file).toBe(f.file);
    expect(d.severity).toBe('error');
    expect(withinFile(d, f.text), `${show(d)} is outside ${f.source}`).toBe(true);
    expect(d.hint ?? '', `${show(d)} has no hint`).not.toBe('');
  }
}

describe('the malformed-scenario corpus', () => {
  test('has at least 60 malformed scenarios and exercises every FG1xx and FG2xx code', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(60);
    const expected = new Set(MALFORMED.flatMap((f) => f.expect.map((e) => e.code)));
    const missing = Object.values(Codes).filter((c) => !expected.has(c));
    expect(missing).toEqual([]);
  });

  test('catalog.json is what the Python helper introspects today', () => {
    // The property tests read the captured catalog. UPDATE_CATALOG=1 refreshes it.
    if (process.env.UPDATE_CATALOG)
      writeFileSync(CATALOG_FILE, `${JSON.stringify(catalog, null, 2)}\n`);
    expect(
      catalog,
      'test/corpus/catalog.json is stale: UPDATE_CATALOG=1 npx vitest run test/corpus',
    ).toEqual(capturedCatalog());
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const inputs = c.files.map((f) => ({ file: f.file, text: f.text }));
    const config = compileWith(c, catalog);
    const r = compileScenarios(inputs, config.catalog, config.options);
    for (const f of c.files) {
      const failure = r.failures.find((x) => x.file === f.file);
      const plan = r.plans.find((p) => p.source === f.file);
      if (f.expect.length === 0) {
        expect(failure?.diagnostics ?? [], `${f.source} is a valid helper scenario`).toEqual([]);
        expect(plan).toBeDefined();
      } else {
        expect(plan, `${f.source} must not plan`).toBeUndefined();
        checkFile(f, failure?.diagnostics ?? []);
      }
    }
  });

  test.each([
    ['no bytes at all', ''],
    ['only blank lines', '\n  \n\n'],
  ])('an empty file (%s) is FG109 at 1:1', (_what, text) => {
    const r = compileScenarios([{ file: 'scenarios/empty.yaml', text }], catalog, {
      defaultModels: DEFAULT_MODELS,
    });
    expect(r.failures[0]!.diagnostics.map(show)).toEqual(['FG109 1:1']);
  });
});
