import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  diagnosticJson,
  renderDiagnostic,
  renderDiagnostics,
  sortDiagnostics,
} from '../../src/diagnostics/render.js';
import { error, type Diagnostic } from '../../src/diagnostics/types.js';
import type { DiagnosticCode } from '../../src/diagnostics/codes.js';

const SCENARIO = [
  'entities:',
  '  acme:',
  '    model: Tenant',
  '    values:',
  '      nmae: Acme',
  '      plan: pro',
  '',
].join('\n');

/** A project root holding scenarios/x.yaml with `text`. */
function project(text = SCENARIO): string {
  const root = mkdtempSync(join(tmpdir(), 'fixturegen-render-'));
  mkdirSync(join(root, 'scenarios'));
  writeFileSync(join(root, 'scenarios', 'x.yaml'), text);
  return root;
}

const UNKNOWN = error('FG203', 'Tenant has no attribute "nmae"', {
  file: 'scenarios/x.yaml',
  line: 5,
  column: 7,
  endLine: 5,
  endColumn: 11,
  hint: 'did you mean "name"?',
});

const ESC = '\u001b[';

describe('renderDiagnostic', () => {
  test('plain (not a terminal): file:line:col: CODE message, then the hint, no frame', () => {
    const text = renderDiagnostic(UNKNOWN, { root: project(), color: false, codeFrame: false });
    expect(text).toBe(
      'scenarios/x.yaml:5:7: FG203 Tenant has no attribute "nmae"\n' +
        '  hint: did you mean "name"?',
    );
  });

  test('on a terminal: a code frame with the line before and after and a caret under the span', () => {
    const text = renderDiagnostic(UNKNOWN, { root: project(), color: false, codeFrame: true });
    expect(text.split('\n')).toEqual([
      'scenarios/x.yaml:5:7: FG203 Tenant has no attribute "nmae"',
      '    4 |     values:',
      '  > 5 |       nmae: Acme',
      '      |       ^^^^',
      '    6 |       plan: pro',
      '  hint: did you mean "name"?',
    ]);
  });

  test('with colour, the code (red for an error), marker, caret and hint are painted', () => {
    const text = renderDiagnostic(UNKNOWN, { root: project(), color: true, codeFrame: true });
    expect(text).toContain(`${ESC}1;31mFG203${ESC}0m`);
    expect(text).toContain(`${ESC}31m^^^^${ESC}0m`);
    expect(text).toContain(`${ESC}36mhint:${ESC}0m`);
  });

  test('a span over several lines gets one caret; the first line has no line before it', () => {
    const d = error('FG110', 'entities must be a mapping', {
      file: 'scenarios/x.yaml',
      line: 1,
      column: 1,
      endLine: 3,
      endColumn: 5,
      hint: 'write key: value pairs',
    });
    const text = renderDiagnostic(d, { root: project(), color: false, codeFrame: true });
    expect(text.split('\n').slice(1, 4)).toEqual([
      '  > 1 | entities:',
      '      | ^',
      '    2 |   acme:',
    ]);
  });

  test('the caret keeps the tabs of the source line, so it lines up at any tab width', () => {
    const root = project('entities:\n\tacme: {}\n');
    const d = error('FG103', 'Tabs are not allowed as indentation', {
      file: 'scenarios/x.yaml',
      line: 2,
      column: 2,
    });
    const lines = renderDiagnostic(d, { root, color: false, codeFrame: true }).split('\n');
    expect(lines[2]).toBe('  > 2 | \tacme: {}');
    expect(lines[3]).toBe('      | \t^');
  });

  test('CRLF files frame without carriage returns', () => {
    const root = project(SCENARIO.replace(/\n/g, '\r\n'));
    const text = renderDiagnostic(UNKNOWN, { root, color: false, codeFrame: true });
    expect(text).not.toContain('\r');
    expect(text).toContain('  > 5 |       nmae: Acme\n      |       ^^^^');
  });

  test('a diagnostic at the very end of a file frames the empty last line', () => {
    const d = error('FG105', 'the [ opened here is never closed', {
      file: 'scenarios/x.yaml',
      line: 3,
      column: 1,
      hint: 'close it with ]',
    });
    const text = renderDiagnostic(d, {
      root: project('a:\n  b: [1\n'),
      color: false,
      codeFrame: true,
    });
    expect(text.split('\n').slice(1, 4)).toEqual(['    2 |   b: [1', '  > 3 | ', '      | ^']);
  });

  test('no frame for a diagnostic without a position or whose file is gone', () => {
    const root = project();
    const bare = error('FG610', 'cannot import the models');
    expect(renderDiagnostic(bare, { root, color: false, codeFrame: true })).toBe(
      'FG610 cannot import the models',
    );
    const gone = { ...UNKNOWN, file: 'scenarios/deleted.yaml' };
    expect(
      renderDiagnostic(gone, { root, color: false, codeFrame: true }).split('\n'),
    ).toHaveLength(2);
  });
});

describe('sortDiagnostics and renderDiagnostics', () => {
  const at = (
    file: string,
    line: number,
    column: number,
    code: DiagnosticCode = 'FG201',
  ): Diagnostic => error(code, `${file}:${line}:${column}`, { file, line, column, hint: 'h' });

  test('sorted by file, line, column, code; files by code units whatever the locale', () => {
    const list = [
      at('scenarios/b.yaml', 1, 1),
      at('scenarios/a.yaml', 10, 2),
      at('scenarios/a.yaml', 2, 9),
      at('scenarios/a.yaml', 2, 3, 'FG208'),
      at('scenarios/a.yaml', 2, 3, 'FG204'),
      at('scenarios/B.yaml', 5, 5),
    ];
    expect(sortDiagnostics(list).map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([
      'scenarios/B.yaml:5:5 FG201',
      'scenarios/a.yaml:2:3 FG204',
      'scenarios/a.yaml:2:3 FG208',
      'scenarios/a.yaml:2:9 FG201',
      'scenarios/a.yaml:10:2 FG201',
      'scenarios/b.yaml:1:1 FG201',
    ]);
  });

  test('renderDiagnostics on a terminal: each diagnostic in order with its own frame', () => {
    const second = error('FG206', '"premium" is not a member of Plan', {
      file: 'scenarios/x.yaml',
      line: 6,
      column: 13,
      endLine: 6,
      endColumn: 16,
      hint: 'write a member name, e.g. plan: free',
    });
    const text = renderDiagnostics([second, UNKNOWN], {
      root: project(),
      color: false,
      codeFrame: true,
    });
    expect(text.split('\n')).toEqual([
      'scenarios/x.yaml:5:7: FG203 Tenant has no attribute "nmae"',
      '    4 |     values:',
      '  > 5 |       nmae: Acme',
      '      |       ^^^^',
      '    6 |       plan: pro',
      '  hint: did you mean "name"?',
      'scenarios/x.yaml:6:13: FG206 "premium" is not a member of Plan',
      '    5 |       nmae: Acme',
      '  > 6 |       plan: pro',
      '      |             ^^^',
      '  hint: write a member name, e.g. plan: free',
    ]);
  });

  test('renderDiagnostics prints them in that order, each with its hint', () => {
    const text = renderDiagnostics([at('scenarios/b.yaml', 1, 1), at('scenarios/a.yaml', 3, 4)], {
      root: project(),
      color: false,
      codeFrame: false,
    });
    expect(text).toBe(
      'scenarios/a.yaml:3:4: FG201 scenarios/a.yaml:3:4\n  hint: h\n' +
        'scenarios/b.yaml:1:1: FG201 scenarios/b.yaml:1:1\n  hint: h',
    );
  });
});

describe('diagnosticJson', () => {
  test('the stable fields in a fixed order; absent ones left out', () => {
    const d: Diagnostic = {
      hint: 'did you mean "name"?',
      endColumn: 11,
      column: 7,
      message: 'Tenant has no attribute "nmae"',
      line: 5,
      severity: 'error',
      file: 'scenarios/x.yaml',
      endLine: 5,
      code: 'FG203',
    };
    expect(JSON.stringify(diagnosticJson(d))).toBe(
      '{"code":"FG203","severity":"error","message":"Tenant has no attribute \\"nmae\\"",' +
        '"file":"scenarios/x.yaml","line":5,"column":7,"endLine":5,"endColumn":11,' +
        '"hint":"did you mean \\"name\\"?"}',
    );
    expect(diagnosticJson(error('FG610', 'no models'))).toEqual({
      code: 'FG610',
      severity: 'error',
      message: 'no models',
    });
  });
});
