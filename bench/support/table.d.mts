/** Types of the bench table's pure functions in table.mjs. */

export type Target =
  | { kind: 'ratio'; max: number }
  | { kind: 'speedup'; min: number }
  | { kind: 'value'; max: number }
  | { kind: 'extra'; max: number };

export interface BenchRow {
  group: string;
  measure: string;
  unit?: string;
  fixturegen: number | null;
  baselineLabel: string | null;
  baseline: number | null;
  runs?: number;
  target: Target | null;
  error?: string;
  note?: string;
}

export type Verdict = 'holds' | 'missed' | 'failed' | '—';

export interface Evaluation {
  ratio: number | null;
  ratioText: string;
  verdict: Verdict;
  reason: string | null;
}

export function fmt(x: number | null | undefined): string;
export function targetText(target: Target | null, unit?: string): string;
export function evaluate(row: BenchRow): Evaluation;
export function cells(rows: BenchRow[]): string[][];
export function renderText(rows: BenchRow[]): string;
export function renderMarkdown(rows: BenchRow[]): string;
export function summary(rows: BenchRow[]): {
  holds: number;
  missed: number;
  failed: number;
  untargeted: number;
};
