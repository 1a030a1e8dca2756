import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Diagnostic } from './types.js';

export interface RenderOptions {
  /** Project root, to read source lines for code frames. */
  readonly root: string;
  readonly color: boolean;
  /** Code frames are for people at a terminal. */
  readonly codeFrame: boolean;
}

const paint = (on: boolean, code: string, text: string) =>
  on ? `\u001b[${code}m${text}\u001b[0m` : text;

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Sorted by file, then position, then code, then message: the order people read a compiler's
 * output in. Strings compare by code units, so the order is the same under every locale.
 */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      byCodeUnits(a.file ?? '', b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      byCodeUnits(a.code, b.code) ||
      byCodeUnits(a.message, b.message),
  );
}

/** The stable JSON form of a diagnostic: its fields in a fixed order, absent ones left out. */
export type DiagnosticJson = Diagnostic;

export function diagnosticJson(d: Diagnostic): DiagnosticJson {
  const out: Record<string, unknown> = { code: d.code, severity: d.severity, message: d.message };
  for (const k of ['file', 'line', 'column', 'endLine', 'endColumn', 'hint'] as const) {
    if (d[k] !== undefined) out[k] = d[k];
  }
  return out as unknown as Diagnostic;
}

function frame(d: Diagnostic, options: RenderOptions): string[] {
  if (!d.file || !d.line) return [];
  const path = isAbsolute(d.file) ? d.file : join(options.root, d.file);
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  // The empty "line" after a final newline is context nobody wrote, unless the diagnostic is on it.
  if (lines.at(-1) === '' && d.line < lines.length) lines.pop();
  const out: string[] = [];
  const width = String(Math.min(lines.length, d.line + 1)).length;
  for (let n = Math.max(1, d.line - 1); n <= Math.min(lines.length, d.line + 1); n++) {
    const mark = n === d.line ? paint(options.color, '31', '>') : ' ';
    out.push(`  ${mark} ${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`);
    if (n === d.line && d.column) {
      const span =
        d.endLine === d.line && d.endColumn && d.endColumn > d.column ? d.endColumn - d.column : 1;
      // Keep the source's tabs so the caret lines up however wide the terminal draws them.
      const pad = (lines[n - 1] ?? '').slice(0, d.column - 1).replace(/[^\t]/g, ' ');
      out.push(
        `    ${' '.repeat(width)} | ${pad.padEnd(d.column - 1)}${paint(options.color, '31', '^'.repeat(span))}`,
      );
    }
  }
  return out;
}

/**
 * `file:line:col: CODE message` (warnings add `warning:` before the message), then (on a TTY) a
 * code frame, then the hint. The code's colour tells errors from warnings on a terminal.
 */
export function renderDiagnostic(d: Diagnostic, options: RenderOptions): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}: ` : '';
  const warning = d.severity === 'warning';
  const code = paint(options.color, warning ? '1;33' : '1;31', d.code);
  const lines = [`${where}${code} ${warning ? 'warning: ' : ''}${d.message}`];
  if (options.codeFrame) lines.push(...frame(d, options));
  if (d.hint) lines.push(`  ${paint(options.color, '36', 'hint:')} ${d.hint}`);
  return lines.join('\n');
}

export function renderDiagnostics(list: readonly Diagnostic[], options: RenderOptions): string {
  return sortDiagnostics(list)
    .map((d) => renderDiagnostic(d, options))
    .join('\n');
}
