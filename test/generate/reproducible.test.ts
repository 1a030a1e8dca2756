/**
 * Byte-identical output for the same inputs: building a project twice, and building a second copy
 * of it at another path, writes the same bytes (headers and hashes included).
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, fixturegen } from '../support/python.js';
import { VENV_ENV } from '../support/project.js';

function copyOf(caseName: string, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(REPO, 'test', 'cases', caseName, 'project'), dir, {
    recursive: true,
    filter: (p) => !p.includes('__pycache__'),
  });
  return dir;
}

function bytes(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name === '__pycache__') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function build(dir: string, ...flags: string[]): Map<string, Buffer> {
  const r = fixturegen(dir, ['build', '--verify', 'none', '--quiet', ...flags], VENV_ENV);
  expect(r.status, r.stderr).toBe(0);
  return bytes(join(dir, 'generated'));
}

describe('reproducible output', () => {
  // Extends with a diamond and aliases; synthesized UUIDs, dates and per-instance tuples.
  it.each(['extends', 'column-types'])(
    '%s: the same bytes on a rebuild and from a second copy',
    (caseName) => {
      const first = copyOf(caseName, 'fixturegen-repro-a-');
      const once = build(first);
      expect(once.size).toBeGreaterThan(1);
      const again = build(first, '--force');
      const second = build(copyOf(caseName, 'fixturegen-repro-b-other-path-'));
      for (const other of [again, second]) {
        expect([...other.keys()]).toEqual([...once.keys()]);
        for (const [rel, data] of once) expect(other.get(rel)!.equals(data), rel).toBe(true);
      }
      // And the same bytes as the golden case expects (built with verification).
      const golden = bytes(join(REPO, 'test', 'cases', caseName, 'expected', 'generated'));
      for (const [rel, data] of golden) expect(once.get(rel)?.equals(data), rel).toBe(true);
    },
  );
});
