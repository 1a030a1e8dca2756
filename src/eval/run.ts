/**
 * `fixturegen eval`: every scenario through each backend on its own, the cache bypassed. A
 * scenario with entities goes through the LLM generator (its module guarded and verified exactly
 * as in `build`); a description-only one through `draft` (the drafted scenario checked up to its
 * builtin module verified, `expect.counts` included). Nothing is written.
 */
import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import { trialValidator } from '../draft/check.js';
import { draftCatalog, draftMessages, loadDraftTemplates } from '../draft/prompt.js';
import { draftScenario } from '../draft/run.js';
import { hasExpect } from '../draft/answer.js';
import type { Backend } from '../generate/llm/backends/list.js';
import { LlmUnavailableError } from '../generate/llm/client/errors.js';
import type { LlmClient } from '../generate/llm/client/types.js';
import { createLlmGenerator } from '../generate/llm/generator/create.js';
import { loadPromptTemplates } from '../generate/llm/prompt/templates.js';
import type { PythonHelper } from '../helper/client.js';
import type { Analysis } from '../pipeline/analyze.js';
import type { ScenarioInput } from '../pipeline/inputs.js';
import { parseDocument, stringify } from 'yaml';
import type { Sample } from './recorder.js';

export type EvalMode = 'generate' | 'draft';

export interface ScenarioResult {
  readonly scenario: string;
  readonly rounds: number;
  /** `first`: verified on the first answer; `repaired`: within the repairs; else failed. */
  readonly result: 'first' | 'repaired' | 'failed';
  /** Codes of the last failed round (or `unusable:<reason>` when the server gave up). */
  readonly codes: readonly string[];
}

export interface EvalRun {
  readonly backend: string;
  readonly mode: EvalMode;
  readonly scenarios: number;
  readonly verifiedFirst: number;
  readonly verifiedWithinRepairs: number;
  readonly failed: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Per answer; null when no answer came. */
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
  /** Completion tokens per second of waiting for answers. */
  readonly tokensPerSecond: number | null;
  readonly results: readonly ScenarioResult[];
}

export interface EvalContext {
  readonly config: Config;
  readonly helper: PythonHelper;
  readonly catalog: Catalog;
  readonly analysis: Analysis;
  readonly inputs: readonly ScenarioInput[];
  readonly draftable: readonly { readonly file: string; readonly name: string | null }[];
  /** Makes the (observed) client for one backend, mode and scenario. */
  readonly clientFor: (backend: Backend, mode: EvalMode, scenario: string) => LlmClient;
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function summarize(
  backend: string,
  mode: EvalMode,
  results: readonly ScenarioResult[],
  samples: readonly Sample[],
): EvalRun {
  const failures: Record<string, number> = {};
  for (const r of results)
    if (r.result === 'failed') for (const c of r.codes) failures[c] = (failures[c] ?? 0) + 1;
  const latencies = samples.map((s) => s.latencyMs);
  const promptTokens = samples.reduce((n, s) => n + (s.usage?.promptTokens ?? 0), 0);
  const completionTokens = samples.reduce((n, s) => n + (s.usage?.completionTokens ?? 0), 0);
  const seconds = latencies.reduce((n, l) => n + l, 0) / 1000;
  return {
    backend,
    mode,
    scenarios: results.length,
    verifiedFirst: results.filter((r) => r.result === 'first').length,
    verifiedWithinRepairs: results.filter((r) => r.result !== 'failed').length,
    failed: results.filter((r) => r.result === 'failed').length,
    failures: Object.fromEntries(Object.entries(failures).sort(([a], [b]) => (a < b ? -1 : 1))),
    promptTokens,
    completionTokens,
    latencyP50Ms: percentile(latencies, 50),
    latencyP95Ms: percentile(latencies, 95),
    tokensPerSecond: seconds > 0 ? completionTokens / seconds : null,
    results,
  };
}

function unusable(err: unknown): string[] | null {
  return err instanceof LlmUnavailableError ? [`unusable:${err.reason}`] : null;
}

export async function evalGenerate(
  ctx: EvalContext,
  backend: Backend,
  names: readonly string[],
): Promise<ScenarioResult[]> {
  const config = { ...ctx.config, llm: backend.config };
  const templates = loadPromptTemplates(config.root);
  const out: ScenarioResult[] = [];
  for (const name of names) {
    const trial = await trialValidator(ctx, ctx.analysis, name);
    if (!trial.ok) {
      out.push({
        scenario: name,
        rounds: 0,
        result: 'failed',
        codes: trial.diagnostics.map((d) => d.code),
      });
      continue;
    }
    const generator = createLlmGenerator(config, {
      client: ctx.clientFor(backend, 'generate', name),
      cache: null,
      templates,
      root: config.root,
    });
    try {
      await generator.generate(trial.desired.plan, {
        ...trial.desired.context,
        config,
        validate: trial.validate,
      });
    } catch (err) {
      const codes = unusable(err);
      if (!codes) throw err;
      out.push({
        scenario: name,
        rounds: generator.report(name)?.rounds ?? 1,
        result: 'failed',
        codes,
      });
      continue;
    }
    const report = generator.report(name)!;
    out.push({
      scenario: name,
      rounds: report.rounds,
      result:
        report.result === 'accepted' ? (report.rounds === 1 ? 'first' : 'repaired') : 'failed',
      codes: report.result === 'accepted' ? [] : report.lastErrors,
    });
  }
  return out;
}

export async function evalDraft(ctx: EvalContext, backend: Backend): Promise<ScenarioResult[]> {
  const templates = loadDraftTemplates(ctx.config.root);
  const out: ScenarioResult[] = [];
  for (const target of ctx.draftable) {
    const name = target.name ?? target.file;
    const text = ctx.inputs.find((i) => i.file === target.file)?.text ?? '';
    const raw = (parseDocument(text).toJS() ?? {}) as Record<string, unknown>;
    const description = typeof raw['description'] === 'string' ? raw['description'] : '';
    const expect = hasExpect(text) ? stringify({ expect: raw['expect'] }).trimEnd() : null;
    const messages = draftMessages(templates, {
      name,
      source: target.file,
      description,
      expect,
      extends: [],
      inherited: [],
      catalog: draftCatalog(ctx.catalog, description),
    });
    try {
      const r = await draftScenario(
        { file: target.file, name, text, expect: expect !== null, messages },
        {
          config: ctx.config,
          helper: ctx.helper,
          catalog: ctx.catalog,
          inputs: ctx.inputs,
          client: ctx.clientFor(backend, 'draft', name),
          templates,
          maxRepairs: backend.config.max_repairs,
        },
      );
      out.push({
        scenario: name,
        rounds: r.report.rounds,
        result: r.ok ? (r.report.rounds === 1 ? 'first' : 'repaired') : 'failed',
        codes: r.ok ? [] : (r.report.roundErrors.at(-1) ?? []),
      });
    } catch (err) {
      const codes = unusable(err);
      if (!codes) throw err;
      out.push({ scenario: name, rounds: 1, result: 'failed', codes });
    }
  }
  return out;
}
