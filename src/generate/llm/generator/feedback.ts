import type { LlmConfig } from '../../../config/schema.js';
import type { Diagnostic } from '../../../diagnostics/types.js';
import { error } from '../../../diagnostics/types.js';
import type { GenerateContext } from '../../types.js';
import type { LlmAnswerError } from '../client/errors.js';
import type { EdgeAppend } from '../edge-block.js';
import { extractPython } from '../extract.js';

/**
 * Diagnostic codes of the LLM generator (FG3xx: generation).
 * - FG310: the last answer had no Python module in it (prose only, empty).
 * - FG311: the module still failed the guard or verification after `max_repairs` repairs; the last
 *   round's guard/verify diagnostics follow it.
 * - FG312: the server answered but not usably (cut off at max_tokens twice, request rejected).
 */
export const LLM_CODES = { noCode: 'FG310', stillFailing: 'FG311', answer: 'FG312' } as const;

/** Longest single problem text sent back to the model, and all of them together. */
const PROBLEM_CHARS = 1500;
const PROBLEMS_CHARS = 6000;
const MAX_PROBLEMS = 12;

type Where = { readonly file: string; readonly line: number; readonly column: number };

export interface CheckedAnswer {
  readonly problems: readonly Diagnostic[];
  readonly feedback: string[];
  /** The model's module, as it answered it. */
  readonly code: string | null;
  /** What was validated: the model's module with what fixturegen appends (edge cases). */
  readonly body: string | null;
}

export async function checkAnswer(
  text: string,
  ctx: GenerateContext,
  where: Where,
  onVerifying: () => void,
  append: (code: string) => EdgeAppend = (code) => ({ ok: true, body: code }),
): Promise<CheckedAnswer> {
  const extracted = extractPython(text);
  if (!extracted.ok) {
    return {
      problems: [
        error(LLM_CODES.noCode, `no Python module in the model's answer: ${extracted.message}`, {
          ...where,
          hint: 'the model must answer with the module in one ```python block',
        }),
      ],
      feedback: [
        `${extracted.message}. Answer with the complete module in one \`\`\`python block.`,
      ],
      code: null,
      body: null,
    };
  }
  const code = extracted.code;
  const appended = append(code);
  if (!appended.ok) {
    return { problems: appended.problems, feedback: appended.feedback, code, body: null };
  }
  const body = appended.body;
  onVerifying();
  const problems = await ctx.validate(body);
  // Lines of the model's module keep their numbers: fixturegen's part comes after them.
  return { problems, feedback: problems.map((d) => problemText(d, body)), code, body };
}

export function failureDiagnostics(
  llm: LlmConfig,
  planName: string,
  where: Where,
  rounds: number,
  answerError: LlmAnswerError | null,
  last: readonly Diagnostic[],
): Diagnostic[] {
  const roundsText = `${rounds} round${rounds === 1 ? '' : 's'}`;
  const noCodeOnly = last.length > 0 && last.every((d) => d.code === LLM_CODES.noCode);
  return answerError
    ? [
        error(LLM_CODES.answer, `the model server gave no usable answer: ${answerError.message}`, {
          ...where,
          hint:
            answerError.reason === 'length'
              ? 'raise llm.max_tokens, or check the server for repetition (repetition_penalty)'
              : `check llm.model and llm.extra_body against the server at ${llm.base_url}`,
        }),
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
              hint: `\`fixturegen prompt ${planName}\` shows what the model is told; raise llm.max_repairs, or build with --fallback builtin`,
            },
          ),
          ...last,
        ];
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

export function trimProblems(problems: readonly string[]): string[] {
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
