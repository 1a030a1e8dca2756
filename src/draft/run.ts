/**
 * One scenario through `draft`: ask for the entities, merge them into the file, check the result
 * as a hand-written scenario is checked, and send the errors back until it passes or the repairs
 * run out. Returns the new file text; writes nothing.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import { LlmAnswerError } from '../generate/llm/client/errors.js';
import type { ChatMessage, LlmClient } from '../generate/llm/client/types.js';
import { trimProblems } from '../generate/llm/generator/feedback.js';
import { extractYaml, mergeDraft } from './answer.js';
import type { DraftCheckContext } from './check.js';
import { checkDraft } from './check.js';
import type { DraftTemplates } from './prompt.js';
import { draftRepairText } from './prompt.js';

/**
 * FG313: no YAML scenario in the last answer. FG314: the draft still fails after the repairs (the
 * last errors follow). FG315: the scenario cannot be drafted (it has entities, or no description).
 */
export const DRAFT_CODES = {
  noYaml: 'FG313',
  stillFailing: 'FG314',
  notDraftable: 'FG315',
} as const;

export interface DraftTarget {
  readonly file: string;
  readonly name: string;
  /** The file as it is on disk. */
  readonly text: string;
  readonly expect: boolean;
  readonly messages: readonly ChatMessage[];
}

export interface DraftReport {
  readonly rounds: number;
  readonly requests: number;
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
  readonly latencyMs: number;
  /** The backend that gave the last answer (`model @ base_url`), when known. */
  readonly backend: string | null;
  /** Codes of each failed round's problems, in order (empty when the first answer passed). */
  readonly roundErrors: readonly (readonly string[])[];
}

export type DraftOutcome =
  | { readonly ok: true; readonly text: string; readonly report: DraftReport }
  | {
      readonly ok: false;
      readonly diagnostics: readonly Diagnostic[];
      readonly report: DraftReport;
    };

export interface DraftDeps extends DraftCheckContext {
  readonly client: LlmClient;
  readonly templates: DraftTemplates;
  readonly maxRepairs: number;
  readonly onRound?: (file: string, round: number, phase: 'asking' | 'checking') => void;
}

export async function draftScenario(target: DraftTarget, deps: DraftDeps): Promise<DraftOutcome> {
  const messages: ChatMessage[] = [...target.messages];
  const rounds = deps.maxRepairs + 1;
  const tally = {
    rounds: 0,
    requests: 0,
    promptTokens: null as number | null,
    completionTokens: null as number | null,
    latencyMs: 0,
    backend: null as string | null,
    roundErrors: [] as string[][],
  };
  const where = { file: target.file, line: 1, column: 1 };
  let last: Diagnostic[] = [];

  for (let round = 1; round <= rounds; round += 1) {
    deps.onRound?.(target.file, round, 'asking');
    tally.rounds += 1;
    let answer: string;
    try {
      const completion = await deps.client.complete(messages);
      tally.requests += completion.attempts;
      tally.latencyMs += completion.latencyMs;
      tally.backend = completion.backend ?? tally.backend;
      if (completion.usage) {
        tally.promptTokens = (tally.promptTokens ?? 0) + completion.usage.promptTokens;
        tally.completionTokens = (tally.completionTokens ?? 0) + completion.usage.completionTokens;
      }
      answer = completion.text;
    } catch (err) {
      if (!(err instanceof LlmAnswerError)) throw err;
      tally.requests += err.attempts;
      tally.roundErrors.push(['FG312']);
      return {
        ok: false,
        diagnostics: [
          error('FG312', `the model server gave no usable answer: ${err.message}`, {
            ...where,
            hint: 'check llm.model, llm.max_tokens and llm.extra_body against the server',
          }),
        ],
        report: tally,
      };
    }

    deps.onRound?.(target.file, round, 'checking');
    let feedback: string[];
    let shown: string | null = null;
    const extracted = extractYaml(answer);
    if (!extracted.ok) {
      last = [
        error(DRAFT_CODES.noYaml, `no YAML scenario in the model's answer: ${extracted.message}`, {
          ...where,
          hint: 'the model must answer with the entities in one ```yaml block',
        }),
      ];
      feedback = [`${extracted.message}. Answer with the entities in one \`\`\`yaml block.`];
    } else {
      const merged = mergeDraft(target.text, extracted.yaml);
      if (!merged.ok) {
        last = merged.problems.map((p) => error(DRAFT_CODES.noYaml, p, where));
        feedback = [...merged.problems];
      } else {
        shown = merged.text;
        const checked = await checkDraft(deps, target.file, merged.text);
        if (checked.ok) return { ok: true, text: merged.text, report: tally };
        last = [...checked.diagnostics];
        feedback = last.map((d) => problemText(d, merged.text));
      }
    }
    tally.roundErrors.push([...new Set(last.map((d) => d.code))]);
    if (round < rounds) {
      messages.push(
        { role: 'assistant', content: answer },
        {
          role: 'user',
          content: draftRepairText(
            deps.templates,
            shown ?? target.text,
            trimProblems(feedback),
            round,
            rounds,
            target.expect,
          ),
        },
      );
    }
  }

  const roundsText = `${tally.rounds} round${tally.rounds === 1 ? '' : 's'}`;
  if (last.every((d) => d.code === DRAFT_CODES.noYaml)) {
    return {
      ok: false,
      diagnostics: last.map((d) => ({ ...d, message: `${d.message} (after ${roundsText})` })),
      report: tally,
    };
  }
  return {
    ok: false,
    diagnostics: [
      error(
        DRAFT_CODES.stillFailing,
        `the drafted scenario still fails after ${roundsText} ` +
          `(${deps.maxRepairs} repair${deps.maxRepairs === 1 ? '' : 's'} allowed); the file is unchanged, and the last draft's errors follow`,
        {
          ...where,
          hint: 'raise llm.max_repairs, make the description more precise, or write the entities yourself',
        },
      ),
      // The last draft exists only in memory: its positions are quoted, the file is not pointed at.
      ...last.map((d) =>
        d.line !== undefined && d.line > 1
          ? {
              ...d,
              message: `in the draft, line ${d.line}:${d.column ?? 1}: ${d.message}`,
              ...where,
            }
          : { ...d, ...where },
      ),
    ],
    report: tally,
  };
}

/** One diagnostic as the model should read it: where in the merged file, and that line quoted. */
function problemText(d: Diagnostic, text: string): string {
  let out = `${d.code}: ${d.message}`;
  if (
    d.line !== undefined &&
    !(d.line === 1 && (d.column ?? 1) === 1 && d.code.startsWith('FG4'))
  ) {
    const line = text.split('\n')[d.line - 1];
    out = `${d.code} at line ${d.line}, column ${d.column ?? 1}: ${d.message}`;
    if (line !== undefined && line.trim() !== '') out += `\n  line ${d.line}: ${line.trim()}`;
  }
  if (d.hint) out += `\n  hint: ${d.hint}`;
  return out;
}
