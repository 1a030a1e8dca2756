/**
 * One registry of diagnostic codes (src/diagnostics/codes.ts): every code written in src/ or the
 * Python helper is in it, every code in it is used, and what it generates (the table of
 * docs/diagnostics.md, python/fixturegen_helper/diagnostic_codes.py) is current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isDiagnosticCode, registry, stageOf } from '../../src/diagnostics/codes.js';
import { REPO } from '../support/python.js';
import {
  codeUses,
  diagnosticsTable,
  DOCS_FILE,
  PYTHON_CODES_FILE,
  pythonCodesModule,
  REGISTRY_FILE,
  TABLE_END,
  TABLE_START,
} from './registry.js';

const read = (rel: string) => readFileSync(join(REPO, rel), 'utf8');

describe('the diagnostics registry', () => {
  test(`every FG code of src/ and the Python helper has a line in ${REGISTRY_FILE}`, () => {
    const missing = codeUses()
      .filter((u) => !isDiagnosticCode(u.code))
      .map((u) => `${u.code} (used at ${u.at}) is not in ${REGISTRY_FILE}`);
    expect(missing).toEqual([]);
  });

  test('every code of the registry is used in src/ or the Python helper', () => {
    const used = new Set(codeUses().map((u) => u.code));
    const unused = registry()
      .filter((e) => !used.has(e.code))
      .map((e) => `${e.code} is in ${REGISTRY_FILE} but used nowhere`);
    expect(unused).toEqual([]);
  });

  test('every entry has a title and an example, and its stage follows its number', () => {
    for (const e of registry()) {
      expect(e.code).toMatch(/^FG[1-6][0-9]{2}$/);
      expect(e.title.trim(), e.code).not.toBe('');
      expect(e.example.trim(), e.code).not.toBe('');
      expect(stageOf(e.code)).toBe(e.stage);
    }
    expect(stageOf('FG203')).toBe('semantic');
    expect(stageOf('FG611')).toBe('environment');
  });

  test(`${PYTHON_CODES_FILE} is generated from the registry`, () => {
    if (process.env.UPDATE_REGISTRY)
      writeFileSync(join(REPO, PYTHON_CODES_FILE), pythonCodesModule());
    expect(
      read(PYTHON_CODES_FILE),
      `${PYTHON_CODES_FILE} is stale: UPDATE_REGISTRY=1 npx vitest run test/diagnostics/registry.test.ts`,
    ).toBe(pythonCodesModule());
  });
});

describe(DOCS_FILE, () => {
  const docs = () => read(DOCS_FILE);
  const table = (text: string) => {
    const start = text.indexOf(TABLE_START);
    const end = text.indexOf(TABLE_END);
    expect(start, `${DOCS_FILE} has no line ${TABLE_START}`).toBeGreaterThanOrEqual(0);
    expect(end, `${DOCS_FILE} has no line ${TABLE_END}`).toBeGreaterThan(start);
    return { start: start + TABLE_START.length, end };
  };

  test('documents every code: its table is the one the registry generates', () => {
    let text = docs();
    const { start, end } = table(text);
    if (process.env.UPDATE_DOCS) {
      text = `${text.slice(0, start)}\n\n${diagnosticsTable()}\n\n${text.slice(end)}`;
      writeFileSync(join(REPO, DOCS_FILE), text);
    }
    const written = text.slice(table(text).start, table(text).end);
    const rows = new Set([...written.matchAll(/^\| (FG\d{3}) \|/gm)].map((m) => m[1]!));
    const undocumented = registry()
      .filter((e) => !rows.has(e.code))
      .map((e) => `${e.code} has no row in ${DOCS_FILE}`);
    const unknown = [...rows].filter((c) => !isDiagnosticCode(c)).map((c) => `${c} is no code`);
    const fix = 'UPDATE_DOCS=1 npx vitest run test/diagnostics/registry.test.ts';
    expect([...undocumented, ...unknown], fix).toEqual([]);
    expect(written.trim(), `the table differs from the registry: ${fix}`).toBe(diagnosticsTable());
  });

  test('the README keeps no copy of the table', () => {
    expect(read('README.md')).not.toMatch(/^\| FG\d{3} \|/m);
  });
});
