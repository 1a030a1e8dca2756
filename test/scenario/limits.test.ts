/**
 * Each input limit at its edge: one below passes it, one above is FG199 at the place it is
 * passed, quickly. (test/fuzz tries mutations; test/cli/hostile-inputs.test.ts the real files.)
 */
import { describe, expect, it } from 'vitest';
import { compileScenarios } from '../../src/scenario/index.js';
import { LIMITS } from '../../src/scenario/limits.js';
import { CRM } from './helpers.js';

function codes(text: string): string[] {
  const started = performance.now();
  const r = compileScenarios([{ file: 'scenarios/x.yaml', text }], CRM, {
    defaultModels: ['crm.models'],
  });
  expect(performance.now() - started).toBeLessThan(20_000);
  return r.failures.flatMap((f) => f.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`));
}

const tenants = (n: number, count = '') =>
  `entities:\n${Array.from({ length: n }, (_, i) => `  t${i}: {model: Tenant${count}}`).join('\n')}\n`;

describe('limits', () => {
  it('entities: 1000 are read, 1001 are FG199 at entities', () => {
    expect(codes(tenants(LIMITS.entities)).filter((c) => c.startsWith('FG199'))).toEqual([]);
    expect(codes(tenants(LIMITS.entities + 1))).toEqual(['FG199 2:3']);
  });

  it('instances: counts summing past 1,000,000 are FG199', () => {
    expect(codes(tenants(11, ', count: 100000'))).toEqual(['FG199 2:3']);
  });

  it('nesting: 64 levels of indentation are read, 65 are FG199 where the 65th starts', () => {
    const nested = (n: number) =>
      Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    expect(codes(nested(LIMITS.depth)).some((c) => c.startsWith('FG199'))).toBe(false);
    expect(codes(nested(LIMITS.depth + 1))).toEqual([
      `FG199 ${LIMITS.depth + 1}:${LIMITS.depth + 1}`,
    ]);
  });

  it('flow nesting is refused before the parser sees it, however deep', () => {
    expect(codes(`entities: ${'['.repeat(250_000 / 4)}`)).toEqual(['FG199 1:75']);
  });

  it('aliases: 1000 are read, 1001 are FG199 at the 1001st', () => {
    const aliases = (n: number) => `x: &a 1\ny: [${Array(n).fill('*a').join(', ')}]\n`;
    expect(codes(aliases(LIMITS.aliases)).some((c) => c.startsWith('FG199'))).toBe(false);
    expect(codes(aliases(LIMITS.aliases + 1))).toEqual([`FG199 2:${5 + 4 * LIMITS.aliases}`]);
  });

  it('size: a file past 64 KiB is FG199 at its start, unparsed', () => {
    expect(codes(`description: ${'x'.repeat(LIMITS.scenarioBytes)}\n`)).toEqual(['FG199 1:1']);
  });

  it('numbers: a 1001-character number or an exponent past ±10000 is FG199 at the value', () => {
    const team = (budget: string) =>
      `entities:\n  t: {model: Tenant}\n  e:\n    model: Team\n    values: {name: E, tenant: "@t", budget: ${budget}}\n`;
    expect(codes(team(`"1e-300000"`))).toEqual(['FG199 5:45']);
    expect(codes(team(`"1e999999999"`))).toEqual(['FG199 5:45']);
    expect(codes(team(`"${'1'.repeat(1001)}"`))).toEqual(['FG199 5:45']);
    expect(codes(team(`"1e-3"`))).toEqual(['FG204 5:45']);
  });
});
