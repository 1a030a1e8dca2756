import { createHash } from 'node:crypto';
import type { LlmConfig } from '../../config/schema.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import { error } from '../../diagnostics/types.js';
import type { Plan } from '../../plan/types.js';
import type { GenerateContext, GenerateOutcome, Generator } from '../types.js';
import { createAnswerCache, llmCacheKey } from './cache.js';
import type { AnswerCache } from './cache.js';
import { createLlmClient, LlmAnswerError, LlmUnavailableError, samplingParams } from './client.js';
import type { ChatMessage, LlmClient, LlmClientOptions, LlmEvent } from './client.js';
import { extractPython } from './extract.js';
import { createLimiter } from './limiter.js';
import type { Limiter } from './limiter.js';
import { buildMessages, loadPromptTemplates, repairText } from './prompt.js';
import type { PromptTemplates } from './prompt.js';

/**
 * Diagnostic codes of the LLM generator (FG3xx: generation).
 * - FG310: the last answer had no Python module in it (prose only, empty).
 * - FG311: the module still failed the guard or verification after `max_repairs` repairs; the last
 *   round's guard/verify diagnostics follow it.
 * - FG312: the server answered but not usably (cut off at max_tokens twice, request rejected).
 */
export const LLM_CODES = { noCode: 'FG310', stillFailing: 'FG311', answer: 'FG312' } as const;

/** A scenario's way through the generator, for live progress output. */
export type LlmStatus =
  | { readonly phase: 'queued' }
  | { readonly phase: 'cache-hit' }
  | { readonly phase: 'sending'; readonly round: number; readonly request: number }
  | { readonly phase: 'receiving'; readonly round: number }
  | {
      readonly phase: 'retrying';
      readonly round: number;
      readonly reason: string;
      readonly delayMs: number;
    }
  | { readonly phase: 'verifying'; readonly round: number }
  | { readonly phase: 'repair'; readonly round: number; readonly of: number }
  | { readonly phase: 'fallback' }
  | { readonly phase: 'done'; readonly result: LlmResult };

export type LlmResult = 'accepted' | 'cached' | 'failed' | 'fallback';

/** What the model did for one scenario: the report table and `--json` carry it. */
export interface LlmScenarioReport {
  /** Answers asked for: 1 + repairs (0 when the cache answered). */
  readonly rounds: number;
  /** HTTP requests, retries included. */
  readonly requests: number;
  /** Summed over the rounds, from the server's usage; null when it reported none. */
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
  /** Time spent waiting for the server (retries included), summed over the rounds. */
  readonly latencyMs: number;
  readonly result: LlmResult;
  /** Codes of the last failed round's diagnostics (empty when the first answer passed). */
  readonly lastErrors: readonly string[];
}

export interface LlmGeneratorDeps {
  /** A client to use instead of one made from the config (tests and benchmarks pass their own options). */
  readonly client?: LlmClient;
  readonly env?: NodeJS.ProcessEnv;
  readonly clientOptions?: LlmClientOptions;
  /** Accepted answers; default `<config root>/.fixturegen/cache`; null: no cache. */
  readonly cache?: AnswerCache | null;
  /** Project root for the answer cache and prompt template overrides. */
  readonly root?: string | null;
  readonly templates?: PromptTemplates;
  /** When the model's answers fail for a scenario, this generator's output is written instead. */
  readonly fallback?: Generator | null;
  readonly onStatus?: (scenario: string, status: LlmStatus) => void;
}

export interface LlmGenerator extends Generator {
  readonly id: 'llm';
  /** Per scenario generated in this process. */
  report(name: string): LlmScenarioReport | undefined;
  readonly templates: PromptTemplates;
}

/** Longest single problem text sent back to the model, and all of them together. */
const PROBLEM_CHARS = 1500;
const PROBLEMS_CHARS = 6000;
const MAX_PROBLEMS = 12;

export function createLlmGenerator(
  config: {
    readonly llm: LlmConfig;
    readonly root?: string;
    readonly session_fixture?: string | undefined;
  },
  deps: LlmGeneratorDeps = {},
): LlmGenerator {
  const llm = config.llm;
  const root = deps.root !== undefined ? deps.root : (config.root ?? null);
  const templates = deps.templates ?? loadPromptTemplates(root);
  const cache =
    deps.cache !== undefined ? deps.cache : root !== null ? createAnswerCache(root) : null;
  let client = deps.client ?? null;
  const limiter: Limiter = createLimiter(llm.concurrency);
  const reports = new Map<string, LlmScenarioReport>();
  /**
   * Set once the server proved unusable: every other scenario of the same build stops with the
   * same error. Cleared when the last generation in flight has ended, so a later build (watch
   * mode keeps the generator) tries the server again.
   */
  let unusable: LlmUnavailableError | null = null;
  let stopAll = new AbortController();
  let inFlight = 0;

  const fingerprint = `llm:${createHash('sha256')
    .update(
      JSON.stringify({
        model: llm.model,
        params: { ...sortObject(samplingParams(llm)), max_tokens: llm.max_tokens },
        templates: templates.hash,
      }),
    )
    .digest('hex')}`;

  const status = (name: string, s: LlmStatus): void => {
    try {
      deps.onStatus?.(name, s);
    } catch {
      // progress output must never break generation
    }
  };

  async function generate(plan: Plan, ctx: GenerateContext): Promise<GenerateOutcome> {
    if (unusable) throw unusable;
    inFlight += 1;
    try {
      return await generateOne(plan, ctx);
    } finally {
      inFlight -= 1;
      if (inFlight === 0 && unusable) {
        unusable = null;
        stopAll = new AbortController();
      }
    }
  }

  async function generateOne(plan: Plan, ctx: GenerateContext): Promise<GenerateOutcome> {
    const sessionFixture = ctx.config.session_fixture ?? 'db_session';
    const first = buildMessages(
      plan,
      { catalog: ctx.catalog, packageName: ctx.packageName, sessionFixture, plans: ctx.plans },
      templates,
    );
    const key = llmCacheKey(llm, first);
    const tally = {
      rounds: 0,
      requests: 0,
      promptTokens: null as number | null,
      completionTokens: null as number | null,
      latencyMs: 0,
    };
    const finish = (result: LlmResult, lastErrors: readonly string[]): void => {
      reports.set(plan.name, { ...tally, result, lastErrors });
      status(plan.name, { phase: 'done', result });
    };

    // A cached answer is used only when it still passes: the environment may have changed.
    const hit = cache ? await cache.get(key).catch(() => null) : null;
    if (hit) {
      status(plan.name, { phase: 'cache-hit' });
      const problems = await ctx.validate(hit.code);
      if (problems.length === 0) {
        tally.promptTokens = hit.usage?.promptTokens ?? null;
        tally.completionTokens = hit.usage?.completionTokens ?? null;
        finish('cached', []);
        return { ok: true, body: hit.code, validated: true, notes: ['llm: answer from the cache'] };
      }
    }

    status(plan.name, { phase: 'queued' });
    const messages: ChatMessage[] = [...first];
    const rounds = llm.max_repairs + 1;
    let last: readonly Diagnostic[] = [];
    let answerError: LlmAnswerError | null = null;
    const where = { file: plan.source, line: 1, column: 1 };

    for (let round = 1; round <= rounds; round += 1) {
      let text: string;
      try {
        const completion = await limiter.run(() => {
          if (unusable) throw unusable;
          tally.rounds += 1;
          return (client ??= createLlmClient(
            llm,
            deps.env ?? process.env,
            deps.clientOptions,
          )).complete(messages, {
            signal: stopAll.signal,
            onEvent: (e) => onEvent(plan.name, round, e),
          });
        });
        tally.requests += completion.attempts;
        tally.latencyMs += completion.latencyMs;
        if (completion.usage) {
          tally.promptTokens = (tally.promptTokens ?? 0) + completion.usage.promptTokens;
          tally.completionTokens =
            (tally.completionTokens ?? 0) + completion.usage.completionTokens;
        }
        text = completion.text;
      } catch (err) {
        if (err instanceof LlmUnavailableError) {
          if (err !== unusable) tally.requests += err.attempts;
          if (!unusable) {
            unusable = err;
            stopAll.abort(err);
          }
          finish('failed', ['unusable']);
          throw unusable;
        }
        if (!(err instanceof LlmAnswerError)) throw err;
        tally.requests += err.attempts;
        if (err.reason !== 'empty') {
          answerError = err;
          break;
        }
        text = ''; // an empty answer is a round like any other: extraction says so, and we ask again
      }

      const extracted = extractPython(text);
      let problems: readonly Diagnostic[];
      let feedback: string[];
      let code: string | null = null;
      if (!extracted.ok) {
        problems = [
          error(LLM_CODES.noCode, `no Python module in the model's answer: ${extracted.message}`, {
            ...where,
            hint: 'the model must answer with the module in one ```python block',
          }),
        ];
        feedback = [
          `${extracted.message}. Answer with the complete module in one \`\`\`python block.`,
        ];
      } else {
        code = extracted.code;
        status(plan.name, { phase: 'verifying', round });
        problems = await ctx.validate(code);
        feedback = problems.map((d) => problemText(d, code!));
      }
      if (problems.length === 0 && code !== null) {
        if (cache) {
          await cache
            .put(key, {
              code,
              usage:
                tally.promptTokens === null
                  ? null
                  : {
                      promptTokens: tally.promptTokens,
                      completionTokens: tally.completionTokens ?? 0,
                    },
              createdAt: new Date().toISOString(),
            })
            .catch(() => undefined); // a read-only cache folder costs a request next time, nothing more
        }
        const codes = [...new Set(last.map((d) => d.code))];
        finish('accepted', codes);
        const notes =
          round === 1
            ? []
            : [`llm: repaired in round ${round} of ${rounds} (after ${codes.join(', ')})`];
        return { ok: true, body: code, validated: true, notes };
      }
      last = problems;
      if (round < rounds) {
        status(plan.name, { phase: 'repair', round, of: rounds - 1 });
        messages.push(
          { role: 'assistant', content: text },
          { role: 'user', content: repairText(templates, trimProblems(feedback), round, rounds) },
        );
      }
    }

    const roundsText = `${tally.rounds} round${tally.rounds === 1 ? '' : 's'}`;
    const noCodeOnly = last.length > 0 && last.every((d) => d.code === LLM_CODES.noCode);
    const diagnostics: Diagnostic[] = answerError
      ? [
          error(
            LLM_CODES.answer,
            `the model server gave no usable answer: ${answerError.message}`,
            {
              ...where,
              hint:
                answerError.reason === 'length'
                  ? 'raise llm.max_tokens, or check the server for repetition (repetition_penalty)'
                  : `check llm.model and llm.extra_body against the server at ${llm.base_url}`,
            },
          ),
        ]
      : noCodeOnly
        ? last.map((d) => ({ ...d, message: `${d.message} (after ${roundsText})` }))
        : [
            error(
              LLM_CODES.stillFailing,
              `the model's module still fails after ${roundsText} ` +
                `(${llm.max_repairs} repair${llm.max_repairs === 1 ? '' : 's'} allowed); its last errors follow`,
              {
                ...where,
                hint: `\`fixturegen prompt ${plan.name}\` shows what the model is told; raise llm.max_repairs, or build with --fallback builtin`,
              },
            ),
            ...last,
          ];
    const lastCodes = answerError ? [LLM_CODES.answer] : [...new Set(last.map((d) => d.code))];

    if (deps.fallback) {
      status(plan.name, { phase: 'fallback' });
      const alt = await deps.fallback.generate(plan, ctx);
      if (alt.ok) {
        const body = alt.body;
        const problems = alt.validated ? [] : await ctx.validate(body);
        if (problems.length === 0) {
          finish('fallback', lastCodes);
          return {
            ok: true,
            body,
            validated: true,
            notes: [
              `the model's answers failed (${lastCodes.join(', ')}); wrote the ${deps.fallback.id} ` +
                'output instead (--fallback builtin); `fixturegen build --force` asks the model again',
            ],
          };
        }
        finish('failed', lastCodes);
        return { ok: false, diagnostics: [...diagnostics, ...problems] };
      }
      finish('failed', lastCodes);
      return { ok: false, diagnostics: [...diagnostics, ...alt.diagnostics] };
    }
    finish('failed', lastCodes);
    return { ok: false, diagnostics };
  }

  function onEvent(name: string, round: number, e: LlmEvent): void {
    switch (e.type) {
      case 'request':
        status(name, { phase: 'sending', round, request: e.attempt });
        break;
      case 'first-chunk':
        status(name, { phase: 'receiving', round });
        break;
      case 'retry':
        status(name, { phase: 'retrying', round, reason: e.reason, delayMs: e.delayMs });
        break;
      default:
        break;
    }
  }

  return {
    id: 'llm',
    templates,
    fingerprint: () => fingerprint,
    generate,
    report: (name) => reports.get(name),
  };
}

/** One diagnostic as the model should read it: the guard's line quoted from its own code. */
function problemText(d: Diagnostic, code: string): string {
  let text = `${d.code}: ${d.message}`;
  const at = /^candidate line (\d+):(\d+): /.exec(d.message);
  if (at) {
    const line = code.split('\n')[Number(at[1]) - 1];
    text = `${d.code} at line ${at[1]}, column ${at[2]}: ${d.message.slice(at[0].length)}`;
    if (line !== undefined && line.trim() !== '') text += `\n  line ${at[1]}: ${line.trim()}`;
  }
  if (d.hint) text += `\n  hint: ${d.hint}`;
  return text.length > PROBLEM_CHARS ? `${text.slice(0, PROBLEM_CHARS)}…` : text;
}

function trimProblems(problems: readonly string[]): string[] {
  const out: string[] = [];
  let total = 0;
  for (const p of problems.slice(0, MAX_PROBLEMS)) {
    if (total + p.length > PROBLEMS_CHARS && out.length > 0) break;
    out.push(p);
    total += p.length;
  }
  if (out.length < problems.length) out.push(`… and ${problems.length - out.length} more`);
  return out;
}

function sortObject(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)));
}
