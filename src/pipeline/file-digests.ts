/**
 * Content hashes of the files `check` and `validate` hash on every run (the scenario files, the
 * modules in the output folder), remembered by each file's identity and change times in
 * `.fixturegen/state/digests.json`: a file whose `stat` is exactly the remembered one is not read
 * and hashed again. The stamp is the device, inode, size, modification time and status-change
 * time (nanoseconds) of the file a path leads to; any write changes the status-change time, which
 * no tool can set back (`touch -d` and `cp -p` set the modification time, and change the other).
 *
 * A file changed twice within the file system's timestamp granularity (a few milliseconds on
 * Linux) can show the same times after each change. So a hash is remembered only for a file whose
 * last change was at least `SETTLE_MS` before the run that read it (its stat taken before the
 * read); a file changed since has another status-change time, and is read again. Anything else,
 * a missing, unreadable or malformed state file included, and the file is read as before.
 */
import type { BigIntStats } from 'node:fs';
import { statSync } from 'node:fs';
import { recall, remember } from '../config/state.js';

const NAME = 'digests';
/** Bumped when what a hash is of, or a stamp, changes meaning. */
const KEY = 'v1';
/** How long before a run a file must last have changed for its hash to be remembered. */
export const SETTLE_MS = 2000;

/** [stamp, hash] by name (the caller's kind and the file's path). */
type Entries = Record<string, [string, string]>;

/** The stamp of the regular file `path` leads to, or null (gone, not a regular file, unreadable). */
export function statOf(path: string): BigIntStats | null {
  try {
    const st = statSync(path, { bigint: true, throwIfNoEntry: false });
    return st !== undefined && st.isFile() ? st : null;
  } catch {
    return null;
  }
}

const stampOf = (st: BigIntStats) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;

export class FileDigests {
  private readonly known: Entries;
  private readonly seen: Entries = {};
  /** The kinds (`name` up to its first colon) hashed in this run: the others are kept as they are. */
  private readonly kinds = new Set<string>();
  private changed = false;
  /** Files whose status changed before this (ns since the epoch) are settled. */
  private readonly settled: bigint;
  /** How many hashes came from the state, and how many from reading the file (for the tests). */
  readonly counts = { remembered: 0, read: 0 };

  constructor(
    private readonly root: string,
    options: { settleMs?: number; now?: number } = {},
  ) {
    const known = recall<unknown>(root, NAME, KEY);
    this.known =
      known !== null && typeof known === 'object' && !Array.isArray(known)
        ? (known as Entries)
        : {};
    const settle = options.settleMs ?? SETTLE_MS;
    this.settled = BigInt(Math.floor((options.now ?? Date.now()) - settle)) * 1_000_000n;
  }

  /**
   * The hash of the file at `path` that `read` gives (null: it cannot be read, nothing is
   * remembered): the remembered one when the file's stat is the one it was remembered with.
   * `name` is `kind:path`: the kind tells apart hashes of the same file computed differently (and
   * the kinds a run does not hash keep their entries). `st`: the file's stat when
   * the caller took it already (`statOf`, before anything read the file).
   */
  hash(
    name: string,
    path: string,
    read: () => string | null,
    st: BigIntStats | null = statOf(path),
  ): string | null {
    this.kinds.add(name.slice(0, name.indexOf(':')));
    const stamp = st === null ? null : stampOf(st);
    const known = Object.hasOwn(this.known, name) ? this.known[name] : undefined;
    if (
      stamp !== null &&
      Array.isArray(known) &&
      known[0] === stamp &&
      typeof known[1] === 'string'
    ) {
      this.seen[name] = known;
      this.counts.remembered += 1;
      return known[1];
    }
    this.counts.read += 1;
    const hash = read();
    if (hash !== null && st !== null && stamp !== null && st.ctimeNs < this.settled) {
      this.seen[name] = [stamp, hash];
      this.changed = true;
    } else if (Object.hasOwn(this.known, name)) {
      this.changed = true; // dropped
    }
    return hash;
  }

  /** Writes what this run found, when it differs from what was remembered. */
  save(): void {
    const kept = Object.entries(this.known).filter(
      ([n, v]) =>
        !this.kinds.has(n.slice(0, n.indexOf(':'))) &&
        Array.isArray(v) &&
        typeof v[0] === 'string' &&
        typeof v[1] === 'string',
    );
    const dropped = Object.keys(this.known).length - kept.length - Object.keys(this.seen).length;
    if (!this.changed && dropped === 0) return;
    remember(this.root, NAME, KEY, { ...Object.fromEntries(kept), ...this.seen });
  }
}
