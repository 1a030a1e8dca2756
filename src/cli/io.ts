import type { Diagnostic } from '../diagnostics/types.js';
import { redact } from '../config/secrets.js';
import { renderDiagnostics, sortDiagnostics } from '../diagnostics/render.js';

/** Where and how a command speaks: human text, or JSON on stdout with human text on stderr. */
export interface Io {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly color: boolean;
  readonly tty: boolean;
  /** Human progress and summaries (stderr under --json, else stdout). */
  say(line: string): void;
  /** Diagnostics and errors: always stderr. */
  warn(line: string): void;
  /** The machine-readable result (only under --json). */
  result(value: unknown): void;
  diagnostics(list: readonly Diagnostic[], root: string): void;
}

export function createIo(
  flags: { json: boolean; quiet: boolean; noColor: boolean },
  env: NodeJS.ProcessEnv,
): Io {
  const tty = Boolean(process.stderr.isTTY);
  const color = tty && !flags.noColor && !env.NO_COLOR && !flags.json;
  const out = (line: string) => (flags.json ? process.stderr : process.stdout).write(`${line}\n`);
  return {
    json: flags.json,
    quiet: flags.quiet,
    color,
    tty,
    say(line) {
      if (!flags.quiet) out(line);
    },
    warn(line) {
      process.stderr.write(`${line}\n`);
    },
    result(value) {
      if (flags.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    diagnostics(list, root) {
      if (list.length === 0) return;
      process.stderr.write(
        `${renderDiagnostics(sortDiagnostics(list), { root, color, codeFrame: tty })}\n`,
      );
    },
  };
}

export const paint = (io: Io, code: string, text: string): string =>
  io.color ? `\u001b[${code}m${text}\u001b[0m` : text;

/**
 * Masks secrets in everything the process writes to stdout and stderr, whoever writes it (the
 * commands' own output, watch's JSON events, progress lines): diagnostics quote a candidate's
 * error text and a model server's error body, and either can hold the API key or a database
 * password. Every write is a whole line or more, so a secret is never split across two.
 */
let redacting = false;

export function redactOutput(): void {
  if (redacting) return;
  redacting = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) =>
      write(
        typeof chunk === 'string'
          ? redact(chunk)
          : chunk instanceof Uint8Array
            ? redact(Buffer.from(chunk).toString('utf8'))
            : chunk,
        ...rest,
      );
  }
}
