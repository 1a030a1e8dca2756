import { backendsOf } from '../generate/llm/backends/list.js';
import type { Backend } from '../generate/llm/backends/list.js';
import {
  countPromptTokens,
  listModels,
  llamaContext,
} from '../generate/llm/backends/server-info.js';
import { createLlmClient } from '../generate/llm/client/create.js';
import { LlmError } from '../generate/llm/client/errors.js';
import type { Config } from '../config/schema.js';
import { startPythonHelper } from '../helper/client.js';
import { introspect, modelModules } from '../pipeline/analyze.js';
import { packageName, readScenarioInputs } from '../pipeline/inputs.js';
import { initPath, renderInit } from '../pipeline/outputs.js';
import { EXIT } from './exit.js';
import type { Io } from './io.js';
import { paint } from './io.js';
import { loadProjectConfig } from './project.js';
import type { CommonFlags } from './project.js';

export interface Finding {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface BackendReport {
  readonly index: number;
  readonly backend: string;
  readonly usable: boolean;
  readonly contextLength: number | null;
  readonly tokenizer: string | null;
  readonly findings: readonly Finding[];
}

const ms = (n: number): string => `${Math.round(n)} ms`;

/** Reachable, model listed, a tiny completion, context length, tokenizer: for one backend. */
export async function checkBackend(b: Backend, env: NodeJS.ProcessEnv): Promise<BackendReport> {
  const findings: Finding[] = [];
  const c = b.config;
  const listed = await listModels(c, env);
  let contextLength: number | null = null;
  let tokenizer: string | null = null;
  if (!listed.ok) {
    findings.push({
      check: 'reachable',
      ok: false,
      detail: `GET ${c.base_url}/models: ${listed.error}`,
    });
    return { index: b.index, backend: b.label, usable: false, contextLength, tokenizer, findings };
  }
  findings.push({
    check: 'reachable',
    ok: true,
    detail: `GET /models answered in ${ms(listed.ms)}`,
  });
  const has = listed.value.ids.includes(c.model);
  findings.push({
    check: 'model listed',
    ok: has,
    detail: has
      ? c.model
      : `${c.model} is not among the served models: ${listed.value.ids.join(', ') || '(none)'}`,
  });
  const probe = [{ role: 'user' as const, content: 'Answer with the single word: ok' }];
  let completed = false;
  try {
    const client = createLlmClient(c, env, {
      retry: { maxRetries: 0 },
      timeoutMs: Math.min(c.timeout_s * 1000, 60_000),
    });
    const done = await client.complete(probe, { maxTokens: 16 });
    completed = true;
    const usage = done.usage
      ? ` (${done.usage.promptTokens} prompt + ${done.usage.completionTokens} completion tokens)`
      : '';
    findings.push({
      check: 'completion',
      ok: true,
      detail: `${JSON.stringify(done.text.trim().slice(0, 40))} in ${ms(done.latencyMs)}${usage}`,
    });
  } catch (err) {
    findings.push({
      check: 'completion',
      ok: false,
      detail: err instanceof LlmError ? err.message : String(err),
    });
  }
  const counted = await countPromptTokens(c, env, probe);
  if (counted) tokenizer = counted.source === 'vllm' ? 'vLLM /tokenize' : 'llama.cpp /tokenize';
  contextLength = listed.value.contextLength ?? counted?.contextLength ?? null;
  let contextSource = contextLength !== null ? 'max_model_len' : '';
  if (contextLength === null) {
    contextLength = await llamaContext(c, env);
    if (contextLength !== null) contextSource = 'llama.cpp n_ctx per slot';
  }
  if (contextLength !== null) {
    const fits = contextLength > c.max_tokens;
    findings.push({
      check: 'context',
      ok: fits,
      detail: fits
        ? `${contextLength} tokens (${contextSource}); max_tokens ${c.max_tokens} leaves ${contextLength - c.max_tokens} for the prompt`
        : `${contextLength} tokens (${contextSource}) is not more than max_tokens ${c.max_tokens}: no prompt fits`,
    });
  } else {
    findings.push({
      check: 'context',
      ok: true,
      detail: 'the server does not tell (Ollama: set OLLAMA_CONTEXT_LENGTH, see docs/llm.md)',
    });
  }
  findings.push({
    check: 'tokenizer',
    ok: true,
    detail: tokenizer ?? 'none: prompt sizes are estimates (3.5 characters per token)',
  });
  const usable = has && completed && findings.every((f) => f.ok);
  return { index: b.index, backend: b.label, usable, contextLength, tokenizer, findings };
}

/** The Python environment, the models and the database verification uses. */
export async function checkPython(config: Config): Promise<Finding[]> {
  const findings: Finding[] = [];
  const helper = startPythonHelper({ python: config.python, root: config.root });
  try {
    try {
      const v = await helper.request('ping', {});
      findings.push({
        check: 'environment',
        ok: true,
        detail: `${config.python}: Python ${v.python}, SQLAlchemy ${v.sqlalchemy}, pytest ${v.pytest}`,
      });
    } catch (err) {
      findings.push({
        check: 'environment',
        ok: false,
        detail: `${config.python}: ${(err as Error).message}`,
      });
      return findings;
    }
    const inputs = readScenarioInputs(config);
    let catalog;
    try {
      catalog = await introspect(helper, config, modelModules(config, inputs));
      findings.push({
        check: 'models',
        ok: true,
        detail: `${config.models.join(', ')}: ${catalog.models.length} mapped class${catalog.models.length === 1 ? '' : 'es'}`,
      });
    } catch (err) {
      findings.push({ check: 'models', ok: false, detail: (err as Error).message });
      return findings;
    }
    // The generated package with no scenario: the smoke test's baseline and isolation tests
    // request the session, so its db_engine connects and creates the tables, and each test's
    // transaction is rolled back. (The scenario test has nothing to run: pytest skips it.)
    const result = await helper.request('verify', {
      level: 'run',
      package: packageName(config),
      files: { [initPath(config)]: renderInit(config, catalog, [], []) },
      databaseUrl: config.verifyDatabaseUrl,
      sessionFixture: config.session_fixture ?? null,
      timeoutS: config.verify_timeout_s,
      expectations: [],
      models: [...config.models],
    });
    const ran = result.tests.filter((t) => /test_fixturegen_(baseline|isolation)$/.test(t.nodeid));
    const passed = ran.length === 2 && ran.every((t) => t.outcome === 'passed');
    const why = result.timedOut
      ? `timed out after ${config.verify_timeout_s} s`
      : (ran.find((t) => t.outcome !== 'passed')?.message ??
        result.output.trim().split('\n').slice(-3).join(' '));
    findings.push({
      check: 'database',
      ok: passed,
      detail: passed
        ? `${redactUrl(config.verifyDatabaseUrl)}: tables created and rolled back`
        : `${redactUrl(config.verifyDatabaseUrl)}: ${why}`,
    });
    return findings;
  } finally {
    await helper.close();
  }
}

function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/** `fixturegen doctor`: what works, backend by backend, then Python and the database. */
export async function doctorCommand(flags: CommonFlags, io: Io): Promise<number> {
  const config = loadProjectConfig(flags, io);
  const backends = backendsOf(config.llm);
  const reports: BackendReport[] = [];
  for (const b of backends) reports.push(await checkBackend(b, process.env));
  const python = await checkPython(config);
  const line = (f: Finding) =>
    `  ${f.ok ? paint(io, '32', '✓') : paint(io, '31', '✗')} ${f.check.padEnd(13)} ${f.detail}`;
  for (const r of reports) {
    io.say(`backend ${r.index + 1}: ${r.backend}${r.usable ? '' : paint(io, '31', ' (unusable)')}`);
    for (const f of r.findings) io.say(line(f));
  }
  io.say('python');
  for (const f of python) io.say(line(f));
  const usable = reports.filter((r) => r.usable).length;
  const ok = python.every((f) => f.ok) && usable === reports.length;
  io.say(
    `${usable} of ${reports.length} backend${reports.length === 1 ? '' : 's'} usable; ` +
      `Python environment ${python.every((f) => f.ok) ? 'ready' : 'not ready'}`,
  );
  io.result({ command: 'doctor', ok, backends: reports, python });
  return ok ? EXIT.ok : EXIT.failed;
}
