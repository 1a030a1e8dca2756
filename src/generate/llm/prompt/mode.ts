/**
 * The words of the generated-code contract that depend on `async: true`
 * (docs/generated-code.md#async-projects): the prompt's templates and its signatures block take
 * them from here, so a sync project's prompt stays exactly as it was and an async project's shows
 * coroutines everywhere the contract has them.
 */
export interface CodeMode {
  readonly async: boolean;
  /** `def` or `async def`: every create function and fixture. */
  readonly def: string;
  /** `''` or `'await '`: before `session.flush()`, `create_<scenario>(...)`, `insert_rows(...)`. */
  readonly await: string;
  /** The fixture decorator the guard accepts (per test). */
  readonly fixture: string;
  /** The module the fixture decorator comes from. */
  readonly fixtureModule: string;
}

const SYNC: CodeMode = {
  async: false,
  def: 'def',
  await: '',
  fixture: '@pytest.fixture',
  fixtureModule: 'pytest',
};

/** The loop is the test's own, named so that no ini setting of the project changes it. */
const ASYNC: CodeMode = {
  async: true,
  def: 'async def',
  await: 'await ',
  fixture: '@pytest_asyncio.fixture(loop_scope="function")',
  fixtureModule: 'pytest_asyncio',
};

export function codeMode(isAsync: boolean | undefined): CodeMode {
  return isAsync === true ? ASYNC : SYNC;
}
