/**
 * The escape corpus (python/tests/escapes) through the real pipeline: each entry is the scripted
 * model's answer, in both rounds, for a scenario of its own (a copy of tenant_with_team). The guard
 * rejects every one before anything imports it: no canary appears (47 entries write one when their
 * module is imported or their fixture runs; python/tests/test_guard_escapes.py shows they do when
 * run unguarded), nothing is written to generated/, no verification ever starts, and the repair
 * prompt carries the guard's positioned diagnostic.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../support/project.js';
import { REPO } from '../support/python.js';
import {
  buildBaseline,
  copyProject,
  fenced,
  llmServer,
  requestsFor,
  runCli,
  useLlm,
} from './helpers.js';
import type { Baseline } from './helpers.js';

const ESCAPES = join(REPO, 'python', 'tests', 'escapes');
const CANARY = '/tmp/fixturegen-escape-canary';
const entries = readdirSync(ESCAPES)
  .filter((f) => /^\d+_.*\.py$/.test(f))
  .sort()
  .map((file, n) => ({
    file,
    name: `esc_${String(n).padStart(2, '0')}`,
    text: readFileSync(join(ESCAPES, file), 'utf8'),
  }));

let base: Baseline;
beforeAll(() => {
  base = buildBaseline();
});

describe('the escape corpus as the model’s answers', () => {
  it('is rejected by the guard: nothing runs, nothing is written, the repair prompt says why', async () => {
    const canaries = mkdtempSync(join(tmpdir(), 'fixturegen-canaries-'));
    const answers = new Map(
      entries.map((e) => {
        const cls = `Esc${e.name.slice(4)}`;
        const text = e.text
          .replaceAll(CANARY, join(canaries, e.name))
          .replaceAll('tenant_with_team', e.name)
          .replaceAll('TenantWithTeam', cls);
        return [e.name, text];
      }),
    );
    const server = await llmServer((scenario) => ({
      content: fenced(answers.get(scenario) ?? ''),
    }));
    const dir = copyProject(base);
    useLlm(dir, server.url, { maxRepairs: 1 });
    for (const e of entries) {
      copyFileSync(
        join(dir, 'scenarios', 'tenant_with_team.yaml'),
        join(dir, 'scenarios', `${e.name}.yaml`),
      );
    }
    const before = snapshot(join(dir, 'generated'));

    const r = await runCli(dir, ['build', ...entries.map((e) => e.name), '--json'], {}, 240_000);
    expect(r.status, r.stderr).toBe(1);

    expect(readdirSync(canaries)).toEqual([]);
    expect(snapshot(join(dir, 'generated'))).toEqual(before);
    const live = entries.filter((e) => /^# canary: (import|run)$/m.test(e.text));
    expect(live.length).toBeGreaterThanOrEqual(30);
    expect(entries.length).toBeGreaterThanOrEqual(60);

    const json = JSON.parse(r.stdout) as {
      scenarios: {
        name: string;
        status: string;
        diagnostics: { code: string; message: string }[];
      }[];
    };
    for (const e of entries) {
      const outcome = json.scenarios.find((s) => s.name === e.name);
      expect(outcome?.status, e.file).toBe('failed');
      const found = outcome!.diagnostics.map((d) => d.code);
      // The guard's codes only: verification (FG41x) never started.
      expect(found[0], e.file).toBe('FG311');
      expect(
        found.slice(1).every((c) => /^FG40\d$/.test(c)),
        `${e.file}: ${found.join(' ')}`,
      ).toBe(true);
      expect(outcome!.diagnostics[1]!.message).toMatch(/^candidate line \d+:\d+: /);

      const requests = requestsFor(server, e.name);
      expect(requests, e.file).toHaveLength(2);
      const messages = requests[1]!.body.messages as { role: string; content: string }[];
      expect(messages[3]!.content, e.file).toMatch(
        /FG40\d at line \d+, column \d+: .+\n {2}line \d+: /,
      );
    }
    expect(existsSync(join(dir, 'generated', `${entries[0]!.name}.py`))).toBe(false);
  }, 300_000);
});
