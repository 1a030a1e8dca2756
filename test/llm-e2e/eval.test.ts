import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EvalRun } from '../../src/eval/run.js';
import { GOOD_YAML, HALLUCINATED_YAML, DESCRIBED, yamlAnswer } from '../draft/helpers.js';
import { personaAnswer } from '../support/personas.js';
import type { Persona } from '../support/personas.js';
import type { OpenAiTestServer, RecordedRequest } from '../support/openai-server.js';
import { buildBaseline, copyProject, fenced, llmServer, runCli, scenarioOf } from './helpers.js';
import type { Baseline } from './helpers.js';

let base: Baseline;

beforeAll(() => {
  base = buildBaseline();
});

const USAGE = { prompt_tokens: 1000, completion_tokens: 200 };
const isDraft = (req: RecordedRequest): boolean =>
  req.body.messages[0]!.content.includes('# The scenario language');

/** A scripted server playing `persona` for generation and draft requests alike. */
async function playing(persona: Persona): Promise<OpenAiTestServer> {
  return llmServer(() => ({ content: '' })).then((server) => {
    server.script((req) => {
      const scenario = scenarioOf(req);
      const answers = isDraft(req)
        ? { good: yamlAnswer(GOOD_YAML), hallucinated: yamlAnswer(HALLUCINATED_YAML) }
        : {
            good: fenced(base.bodies[scenario as 'team_budget']),
            hallucinated: fenced(base.bodies[scenario as 'team_budget'].replace('name=', 'nmae=')),
          };
      return personaAnswer(persona, { ...answers, usage: USAGE, slowMs: 4000 }, req);
    });
    return server;
  });
}

const PLAYED: readonly Persona[] = [
  'always-right',
  'wrong-then-repaired',
  'hallucinates',
  'prose',
  'too-slow',
];

describe('fixturegen eval', () => {
  it('reports exactly the rates the scripted models play, and replays them from a recording', async () => {
    const servers = await Promise.all(PLAYED.map(playing));
    const dir = copyProject(base);
    writeFileSync(join(dir, 'scenarios', 'team_grants.yaml'), DESCRIBED);
    writeFileSync(
      join(dir, 'fixturegen.yaml'),
      [
        'models: crm.models',
        'database_url: "sqlite+pysqlite:///:memory:"',
        'llm:',
        '  max_repairs: 1',
        '  timeout_s: 0.5',
        '  backends:',
        ...servers.flatMap((s, k) => [`    - base_url: ${s.url}`, `      model: model-${k}`]),
        '',
      ].join('\n'),
    );
    // The scripted servers accept any model name.
    const r = await runCli(dir, ['eval', '--json', '--record', 'answers.json'], {}, 600_000);
    expect(r.stderr).not.toContain('Error');
    expect(r.status).toBe(0);
    const runs = (JSON.parse(r.stdout) as { runs: EvalRun[] }).runs;
    const row = (k: number, mode: string) =>
      runs.find((x) => x.backend === `model-${k} @ ${servers[k]!.url}` && x.mode === mode)!;
    const rates = (k: number, mode: string) => {
      const x = row(k, mode);
      return [x.scenarios, x.verifiedFirst, x.verifiedWithinRepairs, x.failed, x.failures];
    };
    // always right
    expect(rates(0, 'generate')).toEqual([2, 2, 2, 0, {}]);
    expect(rates(0, 'draft')).toEqual([1, 1, 1, 0, {}]);
    // wrong first, then repaired
    expect(rates(1, 'generate')).toEqual([2, 0, 2, 0, {}]);
    expect(rates(1, 'draft')).toEqual([1, 0, 1, 0, {}]);
    // hallucinates an attribute: the guard (FG404) and the scenario check (FG203) say so
    expect(rates(2, 'generate')).toEqual([2, 0, 0, 2, { FG404: 2 }]);
    expect(rates(2, 'draft')).toEqual([1, 0, 0, 1, { FG203: 1 }]);
    // answers prose
    expect(rates(3, 'generate')).toEqual([2, 0, 0, 2, { FG310: 2 }]);
    expect(rates(3, 'draft')).toEqual([1, 0, 0, 1, { FG313: 1 }]);
    // too slow for timeout_s: the server is given up after its retries
    expect(rates(4, 'generate')).toEqual([2, 0, 0, 2, { 'unusable:timeout': 2 }]);
    expect(rates(4, 'draft')).toEqual([1, 0, 0, 1, { 'unusable:timeout': 1 }]);

    // Tokens are the servers' usage, per answer: 1000 prompt and 200 completion tokens.
    const answers = { 0: [2, 1], 1: [4, 2], 2: [4, 2], 3: [4, 2], 4: [0, 0] } as const;
    for (const [k, [gen, draft]] of Object.entries(answers)) {
      expect(row(Number(k), 'generate').promptTokens).toBe(1000 * gen);
      expect(row(Number(k), 'generate').completionTokens).toBe(200 * gen);
      expect(row(Number(k), 'draft').completionTokens).toBe(200 * draft);
    }
    const fast = row(0, 'generate');
    expect(fast.latencyP50Ms).toBeGreaterThan(0);
    expect(fast.latencyP95Ms!).toBeGreaterThanOrEqual(fast.latencyP50Ms!);
    expect(fast.tokensPerSecond).toBeCloseTo(
      400 / ((fast.latencyP50Ms! + fast.latencyP95Ms!) / 1000),
      5,
    );
    expect(row(4, 'generate').latencyP50Ms).toBeNull();

    // The terminal table (on stderr under --json) has a row per backend and mode.
    expect(r.stderr).toMatch(/mode\s+backend\s+first answer\s+within repairs\s+failures/);
    expect(r.stderr).toMatch(/generate\s+model-2 @ \S+\s+0\/2 \(0%\)\s+0\/2 \(0%\)\s+FG404×2/);

    // Replayed without any server: the same figures.
    await Promise.all(servers.map((s) => s.close()));
    const again = await runCli(dir, ['eval', '--json', '--replay', 'answers.json'], {}, 600_000);
    expect(again.status).toBe(0);
    const replayed = JSON.parse(again.stdout) as { runs: EvalRun[]; replayed: boolean };
    expect(replayed.replayed).toBe(true);
    expect(replayed.runs).toEqual(runs);
  }, 900_000);
});
