import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { readHeader } from '../../src/output/header.js';
import { startOpenAiServer } from '../support/openai-server.js';
import type {
  OpenAiTestServer,
  RecordedRequest,
  ScriptedAnswer,
  ServerOptions,
} from '../support/openai-server.js';
import { VENV_ENV, sampleProject } from '../support/project.js';
import { CLI, fixturegen } from '../support/python.js';
import type { RunResult } from '../support/python.js';

export const SCENARIOS = ['team_budget', 'tenant_with_team'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/**
 * Runs the built CLI without blocking this process's event loop: the scripted server lives in
 * this process and must keep answering while the CLI waits for it.
 */
export function runCli(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<RunResult & { ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...VENV_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/**
 * The sample project built once with the builtin generator: its bodies are the "model's" good
 * answers, and its generated/ folder is the previous output every fault must leave intact.
 */
export interface Baseline {
  readonly dir: string;
  readonly bodies: Readonly<Record<ScenarioName, string>>;
}

export function buildBaseline(): Baseline {
  const dir = sampleProject('fixturegen-llm-base-');
  const r = fixturegen(dir, ['build'], VENV_ENV);
  if (r.status !== 0) throw new Error(`builtin build failed:\n${r.stdout}\n${r.stderr}`);
  const bodies = {} as Record<ScenarioName, string>;
  for (const name of SCENARIOS) {
    const parsed = readHeader(readFileSync(join(dir, 'generated', `${name}.py`), 'utf8'));
    if (!parsed) throw new Error(`no header in generated/${name}.py`);
    bodies[name] = parsed.body;
  }
  return { dir, bodies };
}

/** A fresh copy of the baseline project (with its generated/ files), for one test. */
export function copyProject(base: Baseline): string {
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-llm-'));
  cpSync(base.dir, dir, { recursive: true, filter: (src) => !src.includes('__pycache__') });
  return dir;
}

export interface LlmProjectOptions {
  readonly maxRepairs?: number;
  readonly concurrency?: number;
  readonly verifyTimeoutS?: number;
  readonly timeoutS?: number;
}

/** Points the project's config at the scripted server with `generator: llm`. */
export function useLlm(dir: string, baseUrl: string, options: LlmProjectOptions = {}): void {
  writeFileSync(
    join(dir, 'fixturegen.yaml'),
    [
      'models: crm.models',
      'scenarios: scenarios',
      'output: generated',
      'database_url: "sqlite+pysqlite:///:memory:"',
      'generator: llm',
      'verify: run',
      `verify_timeout_s: ${options.verifyTimeoutS ?? 30}`,
      'llm:',
      `  base_url: ${baseUrl}`,
      '  model: test-model',
      `  max_repairs: ${options.maxRepairs ?? 2}`,
      `  concurrency: ${options.concurrency ?? 4}`,
      `  timeout_s: ${options.timeoutS ?? 60}`,
      '',
    ].join('\n'),
  );
}

export const fenced = (code: string): string =>
  `Here is the module.\n\n\`\`\`python\n${code}\`\`\`\n`;

/** Which scenario a request is for, from the first user message. */
export function scenarioOf(request: RecordedRequest): string {
  const user = (request.body.messages as { role: string; content: string }[]).find(
    (m) => m.role === 'user',
  );
  const m = /^# Scenario `(\w+)`/m.exec(user?.content ?? '');
  return m?.[1] ?? '?';
}

/** 1 for a first request, 2 after one repair message, … */
export function roundOf(request: RecordedRequest): number {
  return ((request.body.messages as unknown[]).length - 2) / 2 + 1;
}

export type Answers = (scenario: string, round: number) => ScriptedAnswer;

const servers: OpenAiTestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A scripted server answering per scenario and round; closed after the test. */
export async function llmServer(
  answers: Answers,
  options: ServerOptions = {},
): Promise<OpenAiTestServer> {
  const s = await startOpenAiServer(options);
  s.script((req) => answers(scenarioOf(req), roundOf(req)));
  servers.push(s);
  return s;
}

export function requestsFor(server: OpenAiTestServer, scenario: string): RecordedRequest[] {
  return server.requests.filter((r) => scenarioOf(r) === scenario);
}
