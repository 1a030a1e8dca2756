/**
 * Loading the configuration without the YAML library and zod when the file has not changed: its
 * parsed, schema-checked settings are remembered by the file's path and content (and fixturegen's
 * version and configuration code), and only what the environment and the disk decide (`finishConfig`) runs again. `check`
 * and `validate` use it so that the Python helper starts before anything heavy is loaded.
 */
import type { Result } from '../diagnostics/types.js';
import { finishConfig, readConfigSource } from './finish.js';
import type { LoadConfigOptions } from './finish.js';
import type { Config, RawConfig } from './schema.js';
import { configStamp, recall, remember, sha256 } from './state.js';

const NAME = 'config';

/** Same result as `loadConfig`, faster when the file's parse is remembered. */
export async function loadConfigFast(options: LoadConfigOptions): Promise<Result<Config>> {
  const source = readConfigSource(options);
  if (!source.ok) return source;
  const { root, file, text } = source.value;
  const key = sha256(JSON.stringify([configStamp(), file, text]));
  const raw = recall<RawConfig>(root, NAME, key);
  if (raw !== null) {
    const finished = finishConfig(source.value, raw, options.env, () => ({ line: 1, column: 1 }));
    // A problem is reported by the full load, which knows where in the file it is.
    if (finished.ok) return finished;
  }
  const { parseConfig } = await import('./load.js');
  const parsed = parseConfig(source.value);
  if (!parsed.ok) return parsed;
  const finished = finishConfig(source.value, parsed.value.raw, options.env, parsed.value.position);
  // Only a configuration that loads is remembered: a broken one is parsed again, and reported.
  if (finished.ok) remember(root, NAME, key, parsed.value.raw);
  return finished;
}
