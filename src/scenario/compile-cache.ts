/**
 * What one compile of the scenarios leaves for the next (watch keeps one per session): each
 * file's text and its entry as compiled. Compiling again after a save loads and visits only the
 * files the save can affect; every other file's entry is taken as it was, without being read,
 * parsed or walked.
 *
 * A file's compiled result depends on its own text, the catalog, the options, the plans of the
 * scenarios it extends (by name, or by file stem when the base did not load), and whether its
 * name is unique. So an entry is taken again only when it compiled cleanly last time (an entry
 * with errors is always checked again: its messages name other files), its text is the same, the
 * catalog and options are the same objects and values, and no name it carries or extends,
 * directly or through its bases, is the old or new name (or the file stem) of a file that
 * changed, appeared, disappeared or is checked again. Those, and the scenarios that extend them,
 * are compiled as from scratch (their plans still come from the per-file plan memo when what they
 * inherit is unchanged).
 */
import type { Catalog } from '../catalog/types.js';
import { fileStem, listOf, type Entry, type ScenarioInput } from './entry.js';

interface Kept {
  readonly text: string;
  readonly entry: Entry;
}

interface Last {
  readonly catalog: Catalog;
  readonly options: string;
  readonly files: ReadonlyMap<string, Kept>;
}

/** An entry compiled cleanly: a plan and nothing reported. */
const clean = (e: Entry): boolean => e.plan !== null && e.diagnostics.length === 0;

export class CompileCache {
  private last: Last | null = null;

  /**
   * The entries of `inputs` (sorted by file) that can be taken from the last compile, ready to use
   * (a plan, state done, nothing reported), by file. `load` gives the entry of a file that changed.
   */
  reusable(
    inputs: readonly ScenarioInput[],
    catalog: Catalog,
    options: string,
    load: (input: ScenarioInput) => Entry,
  ): { kept: Map<string, Entry>; loaded: Map<string, Entry> } {
    const kept = new Map<string, Entry>();
    const loaded = new Map<string, Entry>();
    const last = this.last;
    if (last === null || last.catalog !== catalog || last.options !== options)
      return { kept, loaded };
    /** Names whose holders, and whatever extends them, are compiled again. */
    const dirty = new Set<string>();
    const mark = (e: Entry | undefined, file: string): void => {
      dirty.add(fileStem(file));
      if (e?.name) dirty.add(e.name);
    };
    const present = new Set<string>();
    const candidates: Entry[] = [];
    for (const input of inputs) {
      present.add(input.file);
      const before = last.files.get(input.file);
      if (
        before !== undefined &&
        input.problem === undefined &&
        before.text === input.text &&
        clean(before.entry)
      ) {
        candidates.push(before.entry);
        continue;
      }
      const entry = load(input);
      loaded.set(input.file, entry);
      mark(before?.entry, input.file);
      mark(entry, input.file);
    }
    for (const [file, before] of last.files) if (!present.has(file)) mark(before.entry, file);

    // Whatever extends a dirty name is dirty, and so are the scenarios extending it in turn.
    const extenders = new Map<string, Entry[]>();
    for (const e of candidates)
      for (const base of listOf(e.raw?.extends))
        extenders.set(base, [...(extenders.get(base) ?? []), e]);
    const out = new Set<Entry>();
    const queue = [...dirty];
    const named = new Map<string, Entry[]>();
    for (const e of candidates)
      if (e.name !== null) named.set(e.name, [...(named.get(e.name) ?? []), e]);
    while (queue.length > 0) {
      const name = queue.pop()!;
      for (const e of [...(named.get(name) ?? []), ...(extenders.get(name) ?? [])]) {
        if (out.has(e)) continue;
        out.add(e);
        if (e.name !== null && !dirty.has(e.name)) {
          dirty.add(e.name);
          queue.push(e.name);
        }
      }
    }
    for (const e of candidates) {
      if (out.has(e)) continue;
      kept.set(e.file, { ...e, diagnostics: [], inCycle: false, state: 'done' });
    }
    return { kept, loaded };
  }

  /** Keeps this compile's entries (after compiling) for the next one. */
  remember(
    inputs: readonly ScenarioInput[],
    entries: readonly Entry[],
    catalog: Catalog,
    options: string,
  ): void {
    const files = new Map<string, Kept>();
    entries.forEach((entry, i) => files.set(entry.file, { text: inputs[i]!.text, entry }));
    this.last = { catalog, options, files };
  }
}
