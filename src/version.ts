import { readFileSync } from 'node:fs';

/** fixturegen's version, from its package.json; part of every input hash. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
