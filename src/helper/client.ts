import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import { HelperMethodError, PythonEnvironmentError } from './errors.js';
import type * as ProtocolModule from './protocol.js';
import type { Method, Params, Result } from './protocol.js';

/** Folder holding the `fixturegen_helper` package (shipped beside dist/ in the npm package). */
export const HELPER_PATH = fileURLToPath(new URL('../../python', import.meta.url));

/** `ping` takes no params; every other method must be given its own. */
export type ParamsArg<M extends Method> = M extends 'ping'
  ? [params?: Params<M>]
  : [params: Params<M>];

/**
 * The request and answer schemas (zod), loaded with the first request rather than with this
 * module: the helper process is started first, and Python starts while they load.
 */
let protocol: typeof ProtocolModule | null = null;
let loadingProtocol: Promise<typeof ProtocolModule> | null = null;

function loadProtocol(): Promise<typeof ProtocolModule> {
  loadingProtocol ??= import('./protocol.js').then((p) => (protocol = p));
  return loadingProtocol;
}

/**
 * An answer of the wrong shape means the helper is not the one this CLI ships with (or has a
 * bug): nothing it said can be trusted, so it is an environment error naming where it is wrong.
 */
function parseResult<M extends Method>(method: M, value: unknown): Result<M> {
  const { methods, describeIssues } = protocol!; // loaded before the request was sent
  const parsed = methods[method].result.safeParse(value);
  if (!parsed.success)
    throw new PythonEnvironmentError(
      `the Python helper answered \`${method}\` with a malformed result: ${describeIssues(parsed.error)}`,
    );
  return parsed.data as Result<M>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (reason: Error) => void;
}

export interface PythonHelper {
  /** Sends `method` with checked params; the answer is parsed against the method's schema. */
  request<M extends Method>(method: M, ...params: ParamsArg<M>): Promise<Result<M>>;
  close(): Promise<void>;
  readonly pid: number | undefined;
}

/**
 * An answer as the helper sent it, before any schema check: its hash, and the check. A caller
 * that already checked an answer of the same hash (remembered between runs) knows what the
 * check gives without running it, and without loading the schemas (zod) at all.
 */
export interface UncheckedAnswer<M extends Method> {
  /** sha256 of the answer's JSON (`JSON.stringify` of the value the helper's line gave). */
  readonly hash: string;
  /**
   * The answer checked against the method's result schema, and the request's params against
   * theirs, as `request` checks them (run once; later calls give the same promise).
   */
  check(): Promise<Result<M>>;
}

/** The helper process this client started. */
export interface SpawnedHelper extends PythonHelper {
  /**
   * Sends `method` and gives its answer unchecked (see `UncheckedAnswer`). The params are checked
   * with the answer, by `check`: the request goes without loading the schemas.
   */
  requestUnchecked<M extends Method>(
    method: M,
    ...params: ParamsArg<M>
  ): Promise<UncheckedAnswer<M>>;
  /**
   * Ends the helper without waiting for it to exit, for a command that only asked it questions
   * and is about to exit: Python's own teardown is not waited for. With a request in flight, the
   * same as `close`.
   */
  release(): Promise<void>;
}

/**
 * Starts the long-lived helper (`python -m fixturegen_helper`) in the project root. It speaks JSON
 * lines: one request, one response, matched by id. Its stderr is kept for error messages.
 */
export function startPythonHelper(options: {
  python: string;
  root: string;
  env?: NodeJS.ProcessEnv;
  /**
   * false: the helper does not load the verifier (nor pytest) at its start, and refuses `verify`,
   * `verifyEach` and `holds`: for commands that only introspect (check, validate).
   */
  verifier?: boolean;
}): SpawnedHelper {
  const env = { ...(options.env ?? process.env) };
  // The helper never talks to the model server: the key stays out of its memory, and so out of
  // reach of the candidate code its verification children run.
  delete env.FIXTUREGEN_API_KEY;
  env.PYTHONPATH = [HELPER_PATH, env.PYTHONPATH].filter(Boolean).join(':');
  env.PYTHONDONTWRITEBYTECODE = '1';
  // Python writes no bytecode for the user's modules, but the helper keeps its own compiled
  // modules in the project's .fixturegen/ (checked against the source's hash on every import):
  // compiling them from source on every start costs 100–220 ms (python/fixturegen_helper/
  // bytecode_cache.py).
  env.FIXTUREGEN_HELPER_PYCACHE = join(options.root, '.fixturegen', 'pycache');
  env.PYTHONUNBUFFERED = '1';
  env.FIXTUREGEN_HELPER_VERIFIER = options.verifier === false ? '0' : '1';
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let stderrTail = '';
  /** Why requests fail from now on: the helper exited, or `close` was called. */
  let exited: Error | null = null;
  /** The process is gone (its exit was seen); what is pending then can never be answered. */
  let gone = false;

  const child: ChildProcessWithoutNullStreams = spawn(options.python, ['-m', 'fixturegen_helper'], {
    cwd: options.root,
    env,
    stdio: 'pipe',
  });
  const failAll = (err: Error) => {
    exited ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  child.on('error', (err) => {
    failAll(
      new PythonEnvironmentError(`cannot start Python (${options.python}): ${err.message}`, {
        cause: err,
      }),
    );
  });
  // Requests still pending when the process is gone are failed even after `close`: a helper
  // that dies while closing (SIGTERM to the whole process group) would otherwise leave them
  // pending forever, and with them whatever awaits them (a watch run, the CLI's exit).
  child.on('exit', (code, signal) => {
    gone = true;
    const tail = stderrTail.trim().split('\n').slice(-8).join('\n');
    failAll(
      new PythonEnvironmentError(
        `the Python helper exited (${signal ?? `code ${code}`})${tail ? `:\n${tail}` : ''}`,
      ),
    );
  });
  // A helper killed from outside can be dead before Node has seen its exit: a request written
  // then fails on the stream (EPIPE), which would crash the process unhandled. Its exit follows
  // at once and fails what is pending with the signal and stderr; the timer is for a helper that
  // closed its stdin and lives on.
  child.stdin.on('error', (err) => {
    if (exited) return;
    const timer = setTimeout(() => {
      if (!exited)
        failAll(
          new PythonEnvironmentError(`the Python helper stopped reading requests: ${err.message}`, {
            cause: err,
          }),
        );
    }, 1000);
    child.once('exit', () => clearTimeout(timer));
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-8000);
  });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    let msg: {
      id?: number;
      result?: unknown;
      error?: { type: string; message: string; traceback?: string };
    };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      stderrTail += `\n(non-protocol output) ${line}`;
      return;
    }
    const p = msg.id === undefined ? undefined : pending.get(msg.id);
    if (!p || msg.id === undefined) return;
    pending.delete(msg.id);
    if (msg.error)
      p.reject(
        new HelperMethodError(msg.error.type, msg.error.message, msg.error.traceback ?? null),
      );
    else p.resolve(msg.result);
  });
  // The helper must not keep the CLI alive once nothing is pending.
  const refresh = () => {
    if (pending.size === 0) {
      child.unref();
      (child.stdout as unknown as { unref?: () => void }).unref?.();
      (child.stderr as unknown as { unref?: () => void }).unref?.();
    } else {
      child.ref();
      (child.stdout as unknown as { ref?: () => void }).ref?.();
      (child.stderr as unknown as { ref?: () => void }).ref?.();
    }
  };

  /**
   * Registers and writes one request; its promise settles with what `accept` makes of the answer
   * (`parsed`: checked once the schemas are loaded; or the answer as the helper sent it).
   */
  const send = <T>(method: Method, params: unknown, accept: (answer: unknown) => Promise<T>) => {
    const id = nextId++;
    const promise = new Promise<T>((resolve, reject) => {
      pending.set(id, {
        resolve: (v) => {
          void accept(v)
            .then(resolve, (err: unknown) =>
              reject(err instanceof Error ? err : new Error(String(err))),
            )
            .finally(refresh);
        },
        reject: (e) => {
          reject(e);
          refresh();
        },
      });
    });
    refresh();
    child.stdin.write(`${JSON.stringify({ id, method, params })}\n`);
    return { id, promise };
  };
  const parsed =
    <M extends Method>(method: M) =>
    (answer: unknown): Promise<Result<M>> =>
      loadProtocol().then(() => parseResult(method, answer));
  /** Why `params` is not a valid request of `method` (also: the schema would change it), or null. */
  const paramsProblem = (loaded: typeof ProtocolModule, method: Method, params: unknown) => {
    const checked = loaded.methods[method].params.safeParse(params);
    if (!checked.success) return loaded.describeIssues(checked.error);
    return isDeepStrictEqual(checked.data, params) ? null : 'the schema changes its params';
  };

  const request = <M extends Method>(method: M, ...args: ParamsArg<M>): Promise<Result<M>> => {
    if (exited) return Promise.reject(exited);
    const params: unknown = args[0] ?? {};
    if (protocol === null) {
      // The schemas are not loaded yet: the request goes now, so that Python starts on it while
      // they load, and is checked as soon as they are. One the check refuses, or would have
      // changed, fails as it would have before sending; its answer is ignored.
      const { id, promise } = send(method, params, parsed(method));
      return loadProtocol().then((loaded) => {
        const problem = paramsProblem(loaded, method, params);
        if (problem === null) return promise;
        pending.delete(id);
        refresh();
        throw new Error(`invalid \`${method}\` request: ${problem}`);
      });
    }
    const { methods, describeIssues } = protocol;
    // A request of the wrong shape is this CLI's bug, never the user's: fail before sending.
    const checked = methods[method].params.safeParse(params);
    if (!checked.success)
      return Promise.reject(
        new Error(`invalid \`${method}\` request: ${describeIssues(checked.error)}`),
      );
    return send(method, checked.data, parsed(method)).promise;
  };

  const requestUnchecked = <M extends Method>(
    method: M,
    ...args: ParamsArg<M>
  ): Promise<UncheckedAnswer<M>> => {
    if (exited) return Promise.reject(exited);
    const params: unknown = args[0] ?? {};
    const answer = send(method, params, (v) => Promise.resolve(v)).promise;
    return answer.then((value) => {
      let checked: Promise<Result<M>> | null = null;
      return {
        hash: createHash('sha256').update(JSON.stringify(value)).digest('hex'),
        check: () =>
          (checked ??= loadProtocol().then((loaded) => {
            const problem = paramsProblem(loaded, method, params);
            if (problem !== null) throw new Error(`invalid \`${method}\` request: ${problem}`);
            return parseResult(method, value);
          })),
      };
    });
  };

  return {
    pid: child.pid,
    request,
    requestUnchecked,
    async release(): Promise<void> {
      if (pending.size > 0) return this.close();
      if (gone || child.exitCode !== null || child.signalCode !== null) return;
      exited ??= new PythonEnvironmentError('the Python helper was closed');
      // Nothing holds the event loop for it (it is unref'd while idle): end of input ends it, and
      // on Linux so does this process's exit (its parent-death signal), whichever comes first.
      child.stdin.end();
    },
    async close(): Promise<void> {
      if (gone || child.exitCode !== null || child.signalCode !== null) return;
      exited ??= new PythonEnvironmentError('the Python helper was closed');
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // The child is unref'd while idle; waiting for its exit must hold the event loop, or a
      // helper slower to exit than the grace timer leaves nothing alive once the kill is sent,
      // and the CLI ends with 13 ("unsettled top-level await") instead of its own code.
      child.ref();
      child.stdin.end();
      // End of input is read only between requests: one in flight (a verification) is cut short,
      // and the helper ends its children before it exits.
      if (pending.size > 0) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await done;
      clearTimeout(timer);
    },
  };
}
