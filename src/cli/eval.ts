import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Codes } from '../scenario/index.js';
import type { Backend } from '../generate/llm/backends/list.js';
import { backendsOf } from '../generate/llm/backends/list.js';
import { createLlmClient } from '../generate/llm/client/create.js';
import { readScenarioInputs } from '../pipeline/inputs.js';
import type { Recording, Sample } from '../eval/recorder.js';
import {
  answerKey,
  observed,
  readRecording,
  RECORDING_FORMAT,
  replayClient,
} from '../eval/recorder.js';
import type { EvalMode, EvalRun } from '../eval/run.js';
import { evalDraft, evalGenerate, summarize } from '../eval/run.js';
import { EXIT } from './exit.js';
import type { Io } from './io.js';
import { loadProjectConfig, openProject } from './project.js';
import type { CommonFlags } from './project.js';

export interface EvalFlags extends CommonFlags {
  record?: string;
  replay?: string;
}

const pct = (n: number, of: number): string =>
  of === 0 ? '-' : `${n}/${of} (${Math.round((100 * n) / of)}%)`;
const msText = (n: number | null): string => (n === null ? '-' : `${(n / 1000).toFixed(2)} s`);

/** The terminal table: one row per backend and mode. */
export function evalTable(runs: readonly EvalRun[]): string[] {
  const header = [
    'mode',
    'backend',
    'first answer',
    'within repairs',
    'failures',
    'prompt tok',
    'completion tok',
    'p50',
    'p95',
    'tok/s',
  ];
  const rows = runs.map((r) => [
    r.mode,
    r.backend,
    pct(r.verifiedFirst, r.scenarios),
    pct(r.verifiedWithinRepairs, r.scenarios),
    Object.entries(r.failures)
      .map(([code, n]) => `${code}×${n}`)
      .join(' ') || '-',
    String(r.promptTokens),
    String(r.completionTokens),
    msText(r.latencyP50Ms),
    msText(r.latencyP95Ms),
    r.tokensPerSecond === null ? '-' : r.tokensPerSecond.toFixed(1),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((cell, c) => (c <= 1 || c === 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

/**
 * `fixturegen eval [SCENARIO…]`: how well each configured backend does on this project's
 * scenarios, the cache bypassed; `--record FILE` keeps the answers, `--replay FILE` plays them back
 * instead of asking a server.
 */
export async function evalCommand(names: string[], flags: EvalFlags, io: Io): Promise<number> {
  const config = loadProjectConfig(flags, io);
  if (flags.record && flags.replay) {
    io.warn('--record and --replay exclude each other');
    return EXIT.usage;
  }
  let replay: Recording | null = null;
  if (flags.replay) {
    try {
      replay = readRecording(resolve(flags.replay));
    } catch (err) {
      io.warn(`fixturegen: ${(err as Error).message}`);
      return EXIT.usage;
    }
  }
  const recording: Recording | null = flags.record
    ? { format: RECORDING_FORMAT, answers: {} }
    : null;
  const backends: Backend[] = replay
    ? [...new Set(Object.keys(replay.answers).map((k) => k.split('|')[0]!))].map(
        (label, index) => ({
          index,
          label,
          config: config.llm,
        }),
      )
    : backendsOf(config.llm);
  const project = await openProject(config);
  try {
    const { analysis } = project;
    const wanted = new Set(names);
    const pick = (name: string | null, file: string) =>
      wanted.size === 0 || wanted.has(file) || (name !== null && wanted.has(name));
    const draftable = analysis.failures
      .filter((f) => f.diagnostics.some((d) => d.code === Codes.descriptionOnly))
      .filter((f) => pick(f.name, f.file));
    const planned = analysis.plans.filter((p) => pick(p.name, p.source)).map((p) => p.name);
    const samples = new Map<string, Sample[]>();
    const runs: EvalRun[] = [];
    const inputs = readScenarioInputs(config);
    for (const backend of backends) {
      for (const mode of ['generate', 'draft'] as EvalMode[]) {
        const list: Sample[] = [];
        samples.set(`${backend.label}|${mode}`, list);
        const ctx = {
          config,
          helper: project.helper,
          catalog: analysis.catalog,
          analysis,
          inputs,
          draftable,
          clientFor: (b: Backend, m: EvalMode, scenario: string) => {
            const key = answerKey(b.label, m, scenario);
            const inner = replay
              ? replayClient(replay, key)
              : createLlmClient(b.config, process.env);
            return observed(inner, list, recording, key);
          },
        };
        if (mode === 'generate' && planned.length === 0) continue;
        if (mode === 'draft' && draftable.length === 0) continue;
        io.say(`eval: ${mode} with ${backend.label}…`);
        const results =
          mode === 'generate'
            ? await evalGenerate(ctx, backend, planned)
            : await evalDraft(ctx, backend);
        runs.push(summarize(backend.label, mode, results, list));
      }
    }
    if (recording && flags.record) {
      writeFileSync(resolve(flags.record), `${JSON.stringify(recording, null, 1)}\n`);
      io.say(`answers recorded in ${flags.record} (replay with --replay ${flags.record})`);
    }
    for (const line of evalTable(runs)) io.say(line);
    io.result({ command: 'eval', replayed: Boolean(replay), runs });
    return EXIT.ok;
  } finally {
    await project.helper.close();
  }
}
