import { describe, expect, it } from 'vitest';
import {
  redact,
  rememberConfigSecrets,
  rememberSecrets,
  urlPassword,
} from '../../src/config/secrets.js';

describe('redact', () => {
  it('masks a known secret as written, inside JSON strings and in URLs', () => {
    const secret = 'k3y"with/slash';
    rememberSecrets([secret]);
    expect(redact(`a ${secret} b`)).toBe('a *** b');
    expect(redact(JSON.stringify({ m: `x ${secret}` }))).toBe('{"m":"x ***"}');
    expect(redact(`?k=${encodeURIComponent(secret)}`)).toBe('?k=***');
  });

  it('masks the password of any URL, and a bearer token, without knowing them', () => {
    expect(redact('postgresql+psycopg://app:hunter2@db:5432/app failed')).toBe(
      'postgresql+psycopg://app:***@db:5432/app failed',
    );
    expect(redact('Authorization: Bearer sk-abc.def_123')).toBe('Authorization: Bearer ***');
    expect(redact('http://127.0.0.1:8000/v1 and sqlite+pysqlite:///:memory:')).toBe(
      'http://127.0.0.1:8000/v1 and sqlite+pysqlite:///:memory:',
    );
  });

  it('takes the key from the configured variable and the passwords of both database URLs', () => {
    rememberConfigSecrets(
      { llm: { api_key_env: 'MY_KEY' }, database_url: 'postgresql://u:p%40ss-word@h/db' },
      { MY_KEY: 'secret-from-env', FIXTUREGEN_DATABASE_URL: 'postgresql://u:other-pass@h/db' },
    );
    expect(redact('secret-from-env p@ss-word p%40ss-word other-pass')).toBe('*** *** *** ***');
  });

  it('leaves values too short to be secrets alone', () => {
    rememberSecrets(['ab', '', undefined]);
    expect(redact('ab cab')).toBe('ab cab');
  });

  it('reads the password of a URL as written and decoded', () => {
    expect(urlPassword('postgresql://u:a%2Fb@h/db')).toEqual(['a%2Fb', 'a/b']);
    expect(urlPassword('postgresql://u@h/db')).toEqual([]);
    expect(urlPassword('sqlite:///:memory:')).toEqual([]);
  });
});
