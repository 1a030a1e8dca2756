// The one safe reader of input files: scenario and configuration files (with a size limit) and
// what watch hashes (models files, templates: no limit) go through readRegularBytes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRegularBytes, readRegularFile } from '../../src/config/read.js';
import { readInput } from '../../src/watch/disk.js';

const dir = mkdtempSync(join(tmpdir(), 'fixturegen-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readRegularBytes', () => {
  it('returns the bytes and the modification time of a regular file', () => {
    const path = join(dir, 'models.py');
    const bytes = Buffer.from('name = "Zoë"\n\u00ff', 'utf8');
    writeFileSync(path, bytes);
    const read = readRegularBytes(path);
    expect(read.ok && Buffer.compare(read.bytes, bytes)).toBe(0);
    expect(read.ok && read.mtimeMs).toBe(statSync(path).mtimeMs);
  });

  it('reads a file larger than any scenario limit when no limit is given', () => {
    const path = join(dir, 'big.py');
    writeFileSync(path, Buffer.alloc(3 * 1024 * 1024, 0x61));
    const read = readRegularBytes(path);
    expect(read.ok && read.bytes.length).toBe(3 * 1024 * 1024);
    const limited = readRegularFile(path, 64 * 1024);
    expect(limited).toMatchObject({ ok: false, kind: 'limit' });
  });

  it('refuses a named pipe without waiting for a writer, through a link too', () => {
    const fifo = join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const link = join(dir, 'link.yaml');
    symlinkSync(fifo, link);
    expect(readRegularBytes(fifo)).toMatchObject({ ok: false, kind: 'unreadable' });
    const viaLink = readRegularFile(link, 1024);
    expect(viaLink.ok).toBe(false);
    expect(!viaLink.ok && viaLink.message).toContain('named pipe (FIFO) (through a symbolic link)');
    expect(readInput(fifo)).toBeNull();
  });

  it('gives watch the text and the hash of the bytes it read; null for what is missing', () => {
    const path = join(dir, 'scenario.yaml');
    writeFileSync(path, 'name: x\n');
    const input = readInput(path);
    expect(input?.text).toBe('name: x\n');
    expect(input?.hash).toBe(createHash('sha256').update('name: x\n').digest('hex'));
    expect(readInput(join(dir, 'missing.yaml'))).toBeNull();
  });
});
