import type { LlmScenarioReport, LlmStatus } from '../generate/llm/index.js';
import type { ScenarioOutcome } from '../pipeline/build.js';
import type { Io } from './io.js';

/**
 * Per-scenario status while `build` runs. On a terminal: a live block of one line per scenario in
 * flight, redrawn in place on stderr (queued, sending, verifying, repair n, …). Elsewhere (CI, a
 * pipe): one plain line per change worth logging. Nothing under --quiet.
 */
export interface Progress {
  /** The pipeline started or finished a scenario (any generator). */
  scenario(name: string, phase: 'start' | 'done', outcome?: ScenarioOutcome): void;
  /** The LLM generator moved a scenario to a new phase. */
  llm(name: string, status: LlmStatus): void;
  /** Clears the live block for good (before the summary is printed). */
  stop(): void;
}

export interface ProgressOptions {
  /** Live redrawing (a terminal); else plain lines. */
  readonly live: boolean;
  readonly write: (text: string) => void;
  readonly now?: () => number;
  /** Terminal width: live lines are cut to it, or a wrapped line would throw the redraw off. */
  readonly columns?: number;
}

export function statusText(status: LlmStatus): string | null {
  switch (status.phase) {
    case 'queued':
      return 'queued for the model';
    case 'cache-hit':
      return 'cached answer, verifying';
    case 'sending':
      return status.request > 1
        ? `sending (round ${status.round}, request ${status.request})`
        : `sending (round ${status.round})`;
    case 'receiving':
      return `receiving (round ${status.round})`;
    case 'retrying':
      return `retrying in ${(status.delayMs / 1000).toFixed(1)} s: ${status.reason}`;
    case 'failover':
      return `${status.from} is unusable (${status.reason}): asking the next backend`;
    case 'verifying':
      return `verifying (round ${status.round})`;
    case 'repair':
      return `repair ${status.round} of ${status.of}`;
    case 'fallback':
      return 'model failed, building the builtin fallback';
    case 'done':
      return `done: ${status.result}`;
  }
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const active = new Map<string, { text: string; since: number }>();
  let drawn = 0;
  let stopped = false;
  // The elapsed seconds tick on a terminal; the timer never keeps the process alive.
  const ticker = options.live
    ? setInterval(() => {
        if (active.size > 0) draw();
      }, 250)
    : null;
  ticker?.unref();

  const clear = (): void => {
    if (drawn === 0) return;
    // Up to the block's first line, then erase to the end of the screen.
    options.write(`\u001b[${drawn}F\u001b[0J`);
    drawn = 0;
  };
  const draw = (): void => {
    if (!options.live || stopped) return;
    clear();
    const lines = [...active.entries()].map(([name, s]) => {
      const secs = ((now() - s.since) / 1000).toFixed(1);
      const line = `  ${name.padEnd(28)} ${s.text} (${secs} s)`;
      const max = options.columns ? options.columns - 1 : Infinity;
      return line.length > max ? `${line.slice(0, Math.max(0, max - 1))}…` : line;
    });
    if (lines.length > 0) options.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const set = (name: string, text: string, log: boolean): void => {
    const prev = active.get(name);
    active.set(name, { text, since: prev?.since ?? now() });
    if (options.live) draw();
    else if (log && !stopped) options.write(`${name}: ${text}\n`);
  };

  return {
    scenario(name, phase, outcome) {
      if (phase === 'start') {
        set(name, 'generating', false);
        return;
      }
      // The outcome lines follow the build: plain output logs nothing more here.
      void outcome;
      active.delete(name);
      if (options.live) draw();
    },
    llm(name, status) {
      if (status.phase === 'done') {
        // The pipeline's own 'done' follows (after the write); keep the line until then.
        set(name, statusText(status) ?? 'done', false);
        return;
      }
      // Plain logs skip the chatty phases; a terminal shows all of them.
      set(name, statusText(status) ?? '', status.phase !== 'receiving');
    },
    stop() {
      if (ticker) clearInterval(ticker);
      if (options.live) clear();
      stopped = true;
      active.clear();
    },
  };
}

/** The live display for a command's Io, or null under --quiet. */
export function progressFor(io: Io): Progress | null {
  if (io.quiet) return null;
  return createProgress({
    live: io.tty,
    columns: process.stderr.columns,
    write: (text) => {
      process.stderr.write(text);
    },
  });
}

/** The per-scenario LLM table printed after a build: attempts, tokens, latency, result. */
export function llmTable(
  rows: readonly { readonly name: string; readonly llm: LlmScenarioReport }[],
): string[] {
  if (rows.length === 0) return [];
  const withBackend = rows.some((r) => r.llm.backend !== undefined);
  const header = [
    'scenario',
    'rounds',
    'requests',
    'prompt tok',
    'completion tok',
    'latency',
    ...(withBackend ? ['backend'] : []),
    'result',
  ];
  const body = rows.map(({ name, llm }) => [
    name,
    String(llm.rounds),
    String(llm.requests),
    llm.promptTokens === null ? '-' : String(llm.promptTokens),
    llm.completionTokens === null ? '-' : String(llm.completionTokens),
    `${(llm.latencyMs / 1000).toFixed(2)} s`,
    ...(withBackend ? [llm.backend ?? '-'] : []),
    llm.result + (llm.lastErrors.length > 0 ? ` (${llm.lastErrors.join(', ')})` : ''),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((cell, c) =>
        c === 0 || c >= r.length - (withBackend ? 2 : 1)
          ? cell.padEnd(widths[c]!)
          : cell.padStart(widths[c]!),
      )
      .join('  ')
      .trimEnd();
  return [fmt(header), ...body.map(fmt)];
}
