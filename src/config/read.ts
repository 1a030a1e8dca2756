/**
 * Reads an input file (a scenario, the configuration) only when it is a regular file of bounded
 * size. A FIFO would block the read forever, `/dev/zero` would fill memory, a directory or a
 * socket cannot be read; a symbolic link is followed only to a regular file.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync } from 'node:fs';

/** Why a file was not read. */
export interface ReadFailure {
  readonly ok: false;
  /** `limit`: larger than allowed; `unreadable`: anything else. */
  readonly kind: 'unreadable' | 'limit';
  readonly message: string;
  readonly hint: string;
}

export type ReadResult = { readonly ok: true; readonly text: string } | ReadFailure;

export type ReadBytesResult =
  | {
      readonly ok: true;
      readonly bytes: Buffer;
      /** Modification time of the file that was read (wall clock, ms). */
      readonly mtimeMs: number;
    }
  | ReadFailure;

function kindOf(st: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function unreadable(message: string, hint: string): ReadFailure {
  return { ok: false, kind: 'unreadable', message, hint };
}

function fromErrno(err: NodeJS.ErrnoException, path: string): ReadFailure {
  // Any errno not named here gets the generic message.
  switch (err.code ?? '') {
    case 'ELOOP':
      return unreadable(
        'is a symbolic link that leads to itself',
        'point the link at a file, or remove it',
      );
    case 'ENOENT':
      return isLink(path)
        ? unreadable(
            'is a symbolic link to a file that does not exist',
            'point the link at a file, or remove it',
          )
        : unreadable('does not exist', 'check the path');
    case 'EACCES':
    case 'EPERM':
      return unreadable(
        'cannot be read: permission denied',
        'give the user running fixturegen read access to it',
      );
    case 'ENAMETOOLONG':
      return unreadable('has a path too long to open', 'shorten the file or folder names');
    default:
      return unreadable(`cannot be read (${err.code ?? err.message})`, 'check the file');
  }
}

/** The file's text when it is a regular file of at most `maxBytes` bytes. */
export function readRegularFile(path: string, maxBytes: number): ReadResult {
  const read = readRegularBytes(path, maxBytes);
  return read.ok ? { ok: true, text: read.bytes.toString('utf8') } : read;
}

/**
 * The file's bytes when it is a regular file of at most `maxBytes` bytes (no limit by default:
 * watch reads models files and templates, which have none).
 */
export function readRegularBytes(path: string, maxBytes = Infinity): ReadBytesResult {
  let fd: number;
  try {
    // Checked before opening: opening some devices has effects of its own.
    const st = statSync(path);
    if (!st.isFile()) {
      return unreadable(
        `is ${kindOf(st)}${isLink(path) ? ' (through a symbolic link)' : ''}, not a regular file`,
        'scenario and configuration files must be regular files',
      );
    }
    // O_NONBLOCK: should the path have become a FIFO since, the open does not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    return fromErrno(err as NodeJS.ErrnoException, path);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      return unreadable(
        `is ${kindOf(st)}, not a regular file`,
        'scenario and configuration files must be regular files',
      );
    const tooLarge = (size: number): ReadFailure => ({
      ok: false,
      kind: 'limit',
      message: `is ${size} bytes long; at most ${maxBytes} are read`,
      hint: 'split it into smaller files',
    });
    if (st.size > maxBytes) return tooLarge(st.size);
    // One byte more than its size, to notice a file that grew since fstat; grown up to the limit.
    let buffer = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) return tooLarge(length);
        const bigger = Buffer.alloc(Math.min(buffer.length * 2, maxBytes + 1));
        buffer.copy(bigger);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return { ok: true, bytes: buffer.subarray(0, length), mtimeMs: st.mtimeMs };
  } catch (err) {
    return fromErrno(err as NodeJS.ErrnoException, path);
  } finally {
    closeSync(fd);
  }
}
