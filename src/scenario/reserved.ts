/**
 * Scenario names that would break the generated package or the suite that loads it. A scenario
 * name becomes a pytest fixture, a module `<output>/<name>.py` registered as a plugin, and the
 * functions `<name>` and `create_<name>` in it.
 */

/**
 * The fixtures pytest itself provides (`pytest --fixtures -v -p pytester`, pytest 9.2), plus the
 * `request` pseudo-fixture. A plugin fixture of the same name replaces pytest's for the whole
 * suite. test/scenario/reserved.test.ts checks the list against the installed pytest.
 */
export const PYTEST_FIXTURES: readonly string[] = [
  'cache',
  'capfd',
  'capfdbinary',
  'caplog',
  'capsys',
  'capsysbinary',
  'capteesys',
  'doctest_namespace',
  'linecomp',
  'monkeypatch',
  'pytestconfig',
  'pytester',
  'record_property',
  'record_testsuite_property',
  'record_xml_attribute',
  'recwarn',
  'request',
  'subtests',
  'testdir',
  'tmp_path',
  'tmp_path_factory',
  'tmpdir',
  'tmpdir_factory',
];

/** Lower-case names of Python's builtins (3.11 to 3.13): a module-level `def list` hides `list()`. */
export const PYTHON_BUILTINS: readonly string[] = (
  'abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod ' +
  'compile complex copyright credits delattr dict dir divmod enumerate eval exec exit filter ' +
  'float format frozenset getattr globals hasattr hash help hex id input int isinstance ' +
  'issubclass iter len license list locals map max memoryview min next object oct open ord pow ' +
  'print property quit range repr reversed round set setattr slice sorted staticmethod str sum ' +
  'super tuple type vars zip'
).split(' ');

/** Modules generated code imports by name: a fixture of that name would shadow the module. */
const IMPORTED_MODULES = [
  'dataclasses',
  'datetime',
  'decimal',
  'enum',
  'pytest',
  'sqlalchemy',
  'uuid',
];

/** The fixtures the generated package defines itself. */
const PACKAGE_FIXTURES = [
  'db_engine',
  'db_session',
  'db_shared_session',
  'db_module_session',
  'db_isolation',
];

/** Why `name` cannot name a scenario, with what to do instead; null when it can. */
export function reservedName(
  name: string,
  sessionFixture?: string,
): { readonly reason: string; readonly hint: string } | null {
  const instead = `name the scenario for what it sets up, e.g. ${name.replace(/^_+/, '') || 'x'}_scenario`;
  if (PYTEST_FIXTURES.includes(name)) {
    return {
      reason: `"${name}" is one of pytest's own fixtures and would replace it in every test`,
      hint: instead,
    };
  }
  if (name === sessionFixture || PACKAGE_FIXTURES.includes(name)) {
    return {
      reason: `"${name}" is the session fixture the generated package provides or uses`,
      hint: instead,
    };
  }
  if (name === 'conftest') {
    return {
      reason:
        '"conftest" would make the generated module a conftest.py, which pytest loads on its own',
      hint: instead,
    };
  }
  if (/^__/.test(name)) {
    return {
      reason: `"${name}" is a Python special name (the package's own ${name}.py)`,
      hint: instead,
    };
  }
  if (PYTHON_BUILTINS.includes(name)) {
    return {
      reason: `"${name}" is a Python builtin, and the generated module would hide it`,
      hint: instead,
    };
  }
  if (IMPORTED_MODULES.includes(name)) {
    return { reason: `"${name}" is a module generated code imports`, hint: instead };
  }
  return null;
}
