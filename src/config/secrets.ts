/**
 * Secrets that must never leave the process in text: the model server's API key and the database
 * password. Text from outside (a candidate's error output, a model server's error body) can hold
 * anything, so every channel out — stdout, stderr, `--json`, the repair prompt sent to the model,
 * the answer cache — passes through `redact`. Known secrets are remembered when the configuration
 * is loaded; credentials written in a URL (`user:password@host`) are masked whatever they are.
 */

export const MASK = '***';

/** Shorter values are not masked: replacing every `ab` in the output would garble it. */
const MIN_SECRET_CHARS = 4;

const DEFAULT_KEY_ENV = 'FIXTUREGEN_API_KEY';
const DATABASE_ENV = 'FIXTUREGEN_DATABASE_URL';

/** `scheme://user:password@` — the password part, whatever the scheme. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/'"]*):([^\s@/'"]+)@/gi;
/** An `Authorization: Bearer <token>` a server echoes back. */
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/-]{4,}=*/g;

const known = new Set<string>();
/** Every written form of the known secrets, longest first; rebuilt when one is added. */
let forms: string[] = [];

/** The password of a database URL, as written and decoded; none when it has none. */
export function urlPassword(url: string | undefined): string[] {
  if (!url) return [];
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/@]*?:([^@/]*)@/i.exec(url);
  if (!m || m[1] === '') return [];
  const written = m[1]!;
  let decoded = written;
  try {
    decoded = decodeURIComponent(written);
  } catch {
    // not percent-encoded: the written form is all there is
  }
  return [...new Set([written, decoded])];
}

/** Adds secrets to mask from now on (values shorter than 4 characters are not masked). */
export function rememberSecrets(values: readonly (string | undefined)[]): void {
  let added = false;
  for (const value of values) {
    if (value === undefined || value.length < MIN_SECRET_CHARS || known.has(value)) continue;
    known.add(value);
    added = true;
  }
  if (!added) return;
  const all = new Set<string>();
  for (const s of known) {
    all.add(s);
    // As it appears inside a JSON string (an error body, --json) and inside a URL.
    all.add(JSON.stringify(s).slice(1, -1));
    all.add(encodeURIComponent(s));
  }
  forms = [...all].filter((f) => f.length >= MIN_SECRET_CHARS).sort((a, b) => b.length - a.length);
}

/** The secrets of a configuration: its API key variable's value and its database passwords. */
export function rememberConfigSecrets(
  config: {
    readonly llm: { readonly api_key_env: string };
    readonly database_url: string;
  },
  env: NodeJS.ProcessEnv,
): void {
  rememberSecrets([
    env[config.llm.api_key_env],
    ...urlPassword(config.database_url),
    ...urlPassword(env[DATABASE_ENV]),
  ]);
}

/** What the environment alone says, before any configuration is read. */
export function rememberEnvironmentSecrets(env: NodeJS.ProcessEnv): void {
  rememberSecrets([env[DEFAULT_KEY_ENV], ...urlPassword(env[DATABASE_ENV])]);
}

/** `text` with every known secret and every password in a URL replaced by `***`. */
export function redact(text: string): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(MASK);
  return out.replace(URL_CREDENTIALS, `$1:${MASK}@`).replace(BEARER, `$1${MASK}`);
}
