import type { LlmConfig } from '../../../config/schema.js';
import type { Diagnostic } from '../../../diagnostics/types.js';
import type { Plan } from '../../../plan/types.js';
import type { GenerateContext, GenerateOutcome } from '../../types.js';
import { createAnswerCache, llmCacheKey } from '../cache.js';
import { createBackendClient } from '../backends/client.js';
import type { BackendClient } from '../backends/client.js';
import { backendsOf } from '../backends/list.js';
import { LlmAnswerError, LlmUnavailableError } from '../client/errors.js';
import type { ChatMessage, LlmClient, LlmEvent } from '../client/types.js';
import { generatorFingerprint, storeAnswer } from './caching.js';
import { checkAnswer, failureDiagnostics, LLM_CODES, trimProblems } from './feedback.js';
import { eventStatus, statusReporter } from './progress.js';
import type { LlmGenerator, LlmGeneratorDeps, LlmResult, LlmScenarioReport } from './types.js';
import { createLimiter } from '../limiter.js';
import type { Limiter } from '../limiter.js';
import { buildMessages, repairText } from '../prompt/messages.js';
import { appendEdgeBlock } from '../edge-block.js';
import { loadPromptTemplates } from '../prompt/templates.js';

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
  let client: LlmClient | BackendClient | null = deps.client ?? null;
  /** The cache key's model and parameters per backend, in the order they are tried. */
  const backendConfigs = backendsOf(llm).map((b) => b.config);
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

  const fingerprint = generatorFingerprint(llm, templates);
  const status = statusReporter(deps);

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
      {
        catalog: ctx.catalog,
        packageName: ctx.packageName,
        sessionFixture,
        plans: ctx.plans,
        async: ctx.config.async === true,
      },
      templates,
    );
    // Keyed by the model that answered: an answer of the second backend is found again even
    // when the first is back.
    const keys = backendConfigs.map((c) => llmCacheKey(c, first));
    const tally = {
      rounds: 0,
      requests: 0,
      promptTokens: null as number | null,
      completionTokens: null as number | null,
      latencyMs: 0,
    };
    let backend: string | undefined = undefined;
    let answeredBy = 0;
    const finish = (result: LlmResult, lastErrors: readonly string[]): void => {
      reports.set(plan.name, {
        ...tally,
        result,
        lastErrors,
        ...(backend !== undefined ? { backend } : {}),
      });
      status(plan.name, { phase: 'done', result });
    };

    // A cached answer is used only when it still passes: the environment may have changed.
    let hit = null;
    for (const [index, key] of keys.entries()) {
      hit = cache ? await cache.get(key).catch(() => null) : null;
      if (hit) {
        if (keys.length > 1) backend = backendsOf(llm)[index]!.label;
        break;
      }
    }
    const edgeOptions = {
      packageName: ctx.packageName,
      sessionFixture,
      async: ctx.config.async === true,
      constraintTests: ctx.config.constraint_tests !== false,
    };
    if (hit) {
      status(plan.name, { phase: 'cache-hit' });
      // The cache holds the model's module; the edge-case block is appended (from this plan) and
      // verified with it again, like the rest of a cached answer.
      const appended = appendEdgeBlock(hit.code, plan, edgeOptions, { file: plan.source });
      const problems = appended.ok ? await ctx.validate(appended.body) : appended.problems;
      if (problems.length === 0 && appended.ok) {
        tally.promptTokens = hit.usage?.promptTokens ?? null;
        tally.completionTokens = hit.usage?.completionTokens ?? null;
        finish('cached', []);
        return {
          ok: true,
          body: appended.body,
          validated: true,
          notes: ['llm: answer from the cache'],
        };
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
          return (client ??= createBackendClient(
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
        if (completion.backend !== undefined) backend = completion.backend;
        if (client && 'backendOf' in client) answeredBy = client.backendOf(completion);
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

      const { problems, feedback, code, body } = await checkAnswer(
        text,
        ctx,
        where,
        () => status(plan.name, { phase: 'verifying', round }),
        (module) => appendEdgeBlock(module, plan, edgeOptions, { file: plan.source }),
      );
      if (problems.length === 0 && code !== null && body !== null) {
        // The model's module, which the accepted body is with the plan's edge cases appended.
        if (cache) await storeAnswer(cache, keys[answeredBy] ?? keys[0]!, code, tally);
        const codes = [...new Set(last.map((d) => d.code))];
        finish('accepted', codes);
        const notes =
          round === 1
            ? []
            : [`llm: repaired in round ${round} of ${rounds} (after ${codes.join(', ')})`];
        return { ok: true, body, validated: true, notes };
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

    const diagnostics = failureDiagnostics(llm, plan.name, where, tally.rounds, answerError, last);
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
    const s = eventStatus(round, e);
    if (s) status(name, s);
  }

  return {
    id: 'llm',
    templates,
    fingerprint: () => fingerprint,
    generate,
    report: (name) => reports.get(name),
  };
}
