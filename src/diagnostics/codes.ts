/**
 * The diagnostics registry: every code fixturegen reports, with its title and an example (what was
 * written → what fixturegen says). `Diagnostic.code` is typed by it, docs/diagnostics.md's table and
 * python/fixturegen_helper/diagnostic_codes.py are generated from it, and
 * test/diagnostics/registry.test.ts checks that every code used in src/ or the Python helper is
 * here. Adding a code is one line below. Never renumber or reuse a code: users search for them.
 *
 * The stage is the code's hundreds digit (see STAGES).
 */

export interface CodeInfo {
  readonly title: string;
  readonly example: string;
}

// One line per code, however long: adding a code stays a one-line change.
// prettier-ignore
export const DIAGNOSTICS = {
  FG101: { title: 'YAML syntax error', example: '`tenant: @acme` → Plain value cannot start with reserved character @ (hint: quote values that start with @: `tenant: "@acme"`)' },
  FG102: { title: 'duplicate key', example: 'a second `name:` in one mapping → duplicate key "name": it is already written on line 6' },
  FG103: { title: 'tab used for indentation', example: 'a tab before `model: Tenant` → Tabs are not allowed as indentation' },
  FG104: { title: 'indentation off', example: '`plan: pro` one space left of `name:` above it → this line starts at column 6, where no key or item above it starts' },
  FG105: { title: 'quote or bracket never closed', example: '`name: "Acme Corp` → the " opened here is never closed (at the quote)' },
  FG106: { title: 'several YAML documents in one file', example: 'a `---` line after the first scenario → a second YAML document starts here; a scenario file holds one' },
  FG107: { title: 'bad alias', example: '`values: *defaults` with no `&defaults` above → unknown alias *defaults' },
  FG108: { title: 'YAML beyond plain values', example: '`name: !secret acme-name` → unsupported YAML tag !secret' },
  FG109: { title: 'not a mapping, or empty', example: 'an empty file → the scenario is empty' },
  FG110: { title: 'wrong type', example: '`count: "3"` → entities.tenants.count must be an integer (hint: write 3 without quotes)' },
  FG111: { title: 'unknown key', example: '`entitys:` → unknown key "entitys" in scenario (hint: did you mean "entities"?)' },
  FG112: { title: 'required key missing', example: 'an entity without `model:` → entities.acme has no "model"' },
  FG113: { title: 'invalid name or label', example: '`name: Tenant-Team` → "Tenant-Team" is not a valid scenario name' },
  FG114: { title: '`count` outside 1..100000', example: '`count: 100001` → count must be between 1 and 100000, not 100001' },
  FG115: { title: 'other schema rule', example: '`expect: {counts: {Tenant: -1}}` → expect.counts.Tenant must be >= 0' },
  FG116: { title: 'file name is no fixture name', example: '`bad-file-stem.yaml` without `name:` → the file name "bad-file-stem" is not a valid fixture name, and the scenario has no name (hint: add name: bad_file_stem)' },
  FG196: { title: 'text that is not valid Unicode', example: '`name: "\\udc00"` → this text holds half of a UTF-16 surrogate pair, not a character' },
  FG197: { title: 'scenario name reserved', example: '`name: tmp_path` → "tmp_path" is one of pytest\'s own fixtures and would replace it in every test (also `conftest`, `request`, `db_session`, Python builtins such as `list`, modules generated code imports)' },
  FG198: { title: 'scenario file cannot be read', example: 'a FIFO `x.yaml` → this file is a named pipe (FIFO), not a regular file (also dangling or looping symbolic links, devices, no permission)' },
  FG199: { title: 'beyond fixturegen\'s limits', example: '`budget: "1e999999999"` → the exponent of 1e999999999 is beyond ±10000 (see configuration.md, Limits)' },
  FG201: { title: 'unknown model', example: '`model: Tennant` → unknown model "Tennant" (hint: did you mean "Tenant"?)' },
  FG202: { title: 'ambiguous model', example: '`model: User` with two modules that define one → model "User" is ambiguous: billing.models.User, crm.models.User' },
  FG203: { title: 'unknown attribute', example: '`nmae: Acme` → Tenant has no attribute "nmae" (hint: did you mean "name"?)' },
  FG204: { title: 'value does not fit the column type', example: '`budget: 10.555` on Numeric(12, 2) → 10.555 has 3 decimal places; budget keeps 2' },
  FG205: { title: 'string or bytes too long', example: '52 characters on String(50) → "…" is 52 characters long; name holds at most 50' },
  FG206: { title: 'not a member of the enum', example: '`plan: premium` → "premium" is not a member of Plan: free, pro, enterprise' },
  FG207: { title: 'NULL on NOT NULL', example: '`name: null` → name is NOT NULL and cannot be null' },
  FG208: { title: 'unknown label', example: '`tenant: "@acmee"` → unknown label "acmee" in @acmee (hint: did you mean "acme"?)' },
  FG209: { title: 'reference to the wrong model', example: '`tenant: "@lead"` → @lead is a User, but tenant needs a Tenant' },
  FG210: { title: 'a list where one instance is needed', example: '`tenant: "@tenants"` → tenants is a list of 2; tenant needs one instance (hint: pick one: "@tenants[0]" or "@tenants[i]")' },
  FG211: { title: 'index out of range', example: '`user: "@users[i]"` with 5 grants and 3 users → index i reaches 4 (for i = 4), but users has 3 instances (0..2)' },
  FG212: { title: 'invalid reference or index', example: '`manager: "@users[i + 1]"` → invalid index "i + 1": expected an integer, i, i % K or i // K' },
  FG213: { title: 'reference on a plain column', example: '`name: "@acme"` → name is neither a relationship nor a foreign-key column (hint: write "@@acme" for the literal text @acme)' },
  FG214: { title: 'auto-link without a candidate', example: 'a User and no Tenant → lead.tenant is NOT NULL and the scenario has no Tenant to link it to' },
  FG215: { title: 'auto-link with several candidates', example: 'a User and two Tenants → lead.tenant is NOT NULL and could link to several Tenant instances: acme (Tenant), globex (Tenant)' },
  FG216: { title: 'reference cycle', example: '`ann.manager: "@bob"`, `bob.manager: "@ann"` → reference cycle: ann → bob → ann' },
  FG217: { title: 'bad interpolation', example: '`email: "user{N}@acme.test"` → unknown placeholder "{N}": only {i} and {n} exist' },
  FG218: { title: 'wrong value form', example: '`tenant: acme` → tenant is a relationship to Tenant and needs a reference, not "acme" (hint: did you mean "@acme"?)' },
  FG219: { title: 'attribute or model cannot be set', example: '`owner_seen: "@ann"` → owner_seen is a view-only relationship and cannot be set (hint: set owner instead)' },
  FG220: { title: 'a NOT NULL value cannot be synthesized', example: '200 badges with a unique String(2) code → code holds 2 characters: too short for distinct synthesized values' },
  FG221: { title: 'extends an unknown scenario', example: '`extends: tenant_bsae` → extends unknown scenario "tenant_bsae" (hint: did you mean "tenant_base"?)' },
  FG222: { title: 'extends cycle', example: 'alpha extends beta, beta extends alpha → extends cycle: alpha → beta → alpha' },
  FG223: { title: 'extends a scenario with errors (its own errors are still reported)', example: '`extends: broken_base` → extends "broken_base", which has errors (hint: fix scenarios/broken_base.yaml first)' },
  FG224: { title: 'label clash', example: '`extends: [left, right]`, both define `acme` → label "acme" is defined by both left (scenarios/left.yaml:2:3) and right (scenarios/right.yaml:2:3)' },
  FG225: { title: 'duplicate scenario name', example: 'two files with `name: shared` → scenario name "shared" is also used by scenarios/second.yaml:3:7' },
  FG226: { title: 'attribute set twice', example: '`tenant: "@acme"` and `tenant_id: "@acme"` → tenant_id is set twice: directly and through the relationship tenant' },
  FG227: { title: 'a list instance references itself or a later one', example: '`manager: "@users[i]"` → users[0] would reference itself' },
  FG228: { title: 'two instances would share a unique key', example: '`email: same@acme.test` on 3 users → users: its 3 instances would all have email = "same@acme.test", but email is unique in user_account (hint: write a value per instance, e.g. email: "same{n}@acme.test" …)' },
  FG240: { title: 'a scope wider than per test needs the generated db_session', example: '`scope: session` with `session_fixture: my_session` configured → scope: session needs the db_session fixturegen generates (hint: remove session_fixture, or keep scope: function)' },
  FG241: { title: 'a scenario lives longer than a scenario it extends', example: '`scope: session` and `extends: base`, base per test → scenario scoped session extends "base", scoped function (hint: give base scope: session too, or narrow this one)' },
  FG242: { title: 'a scope wider than per test in an async project', example: '`scope: session` with `async: true` in fixturegen.yaml → scope: session is not supported with async: true: its shared session is a sync Session (hint: keep scope: function …)' },
  FG243: { title: 'a scope wider than per test needs SQLAlchemy 2.0', example: '`scope: module` with SQLAlchemy 1.4.52 → scope: module needs SQLAlchemy 2.0 (its savepoints use join_transaction_mode) … (hint: keep scope: function with SQLAlchemy 1.4, or upgrade SQLAlchemy)' },
  FG250: { title: 'a description and no entities: run `fixturegen draft`', example: '`description: A tenant with three users` and no `entities:` → scenario has a description but no entities, so its fixture would create nothing (hint: run `fixturegen draft scenarios/team.yaml` to have the model write them, or write them yourself)' },
  FG260: { title: 'a variant names an unknown label', example: '`variants: {inactive: {entities: {user: …}}}` → variant changes unknown label "user" (hint: did you mean "users"?)' },
  FG261: { title: 'a variant gives a count to a single instance', example: '`acme: {count: 2}` in a variant → variant gives "acme" a count, but "acme" is one instance' },
  FG262: { title: 'a variant both changes and removes a label', example: '`entities: {grants: …}` and `remove: [grants]` → variant both changes and removes "grants"' },
  FG263: { title: 'a variant removes a label something still refers to', example: '`remove: [users]` while grants refer to `@users[i % 3]` → variant removes "users", but grants.user refers to it' },
  FG264: { title: 'edge_cases excludes an unknown label or attribute', example: '`edge_cases: {auto: true, exclude: [users.emial]}` → edge_cases excludes "users.emial", but User has no attribute "emial" (hint: did you mean "email"?)' },
  FG265: { title: 'edge_cases names an unknown kind of case', example: '`edge_cases: {auto: true, kinds: [nul]}` → edge_cases kind "nul" is not a kind of edge case (hint: did you mean "nulls"?)' },
  FG280: { title: 'ORM and database disagree on deleting a parent (constraint tests)', example: '`users = relationship()` beside `ForeignKey("tenant.id", ondelete="CASCADE")` on a NOT NULL column → ORM and database disagree on deleting a Tenant: session.delete() through Tenant.users … sets user_account.tenant_id to NULL, which is NOT NULL, so it is refused; a plain SQL DELETE (ondelete="CASCADE" on user_account.tenant_id) deletes the children (hint: add passive_deletes=True to Tenant.users …)' },
  FG281: { title: 'passive_deletes without a database rule (constraint tests)', example: '`relationship(passive_deletes=True)` over a ForeignKey without ondelete → Tenant.users has passive_deletes=True, but the foreign key user_account.tenant_id has no ondelete …' },
  FG299: { title: 'a column type whose values fixturegen cannot write', example: '`balance: 12.50 EUR` on a TypeDecorator taking a `Money` class → balance has type MoneyType (stored as VARCHAR(32)), which converts its values in a way fixturegen cannot follow (hint: leave balance out, or declare what MoneyType takes with a python_type property)' },
  FG301: { title: 'extends a scenario that failed to build', example: '→ extends `base`, which failed to build (hint: fix scenarios/base.yaml first)' },
  FG310: { title: 'LLM answer has no Python module', example: '→ no Python module in the model\'s answer: … (the start of the answer is quoted)' },
  FG311: { title: 'LLM module still fails after the repairs', example: '→ the model\'s module still fails after 3 rounds (2 repairs allowed); its last errors follow' },
  FG312: { title: 'the model server gave no usable answer', example: '→ the model server gave no usable answer: the answer was cut off at max_tokens=8192 twice …' },
  FG313: { title: 'no YAML scenario in the model\'s draft', example: '→ no YAML scenario in the model\'s answer: the answer has no YAML code block: "Sure! A tenant has…" (or a block with other keys than entities and expect)' },
  FG314: { title: 'the drafted scenario still fails after the repairs', example: '→ the drafted scenario still fails after 3 rounds (2 repairs allowed); the file is unchanged, and the last draft\'s errors follow' },
  FG315: { title: 'the scenario cannot be drafted', example: '`fixturegen draft tenant_with_team` → this scenario already has entities: draft writes them only for a scenario with a description and no entities' },
  FG316: { title: 'the model\'s module collides with the edge cases fixturegen appends', example: '→ candidate line 3:1: the module binds `datetime` to something else than the derived edge cases fixturegen appends need (`import datetime`)' },
  FG401: { title: 'generated module does not parse', example: '→ syntax error: invalid syntax' },
  FG402: { title: 'import outside the allow-list', example: '`import requests` → `import requests` is not allowed; fixture code may import only: …' },
  FG403: { title: 'name, call or attribute outside the allow-list', example: '`open("x")` → calling \'open\' is not allowed; fixture code may call only the model classes and enums it imports, …' },
  FG404: { title: 'model constructor keyword not mapped', example: '`User(emial=…)` → User() has no mapped attribute \'emial\' (hint: did you mean "email"?)' },
  FG405: { title: 'attribute not on a model instance', example: '`user.nmae` → User instances have no attribute \'nmae\' (hint: did you mean "name"?)' },
  FG406: { title: 'generated-code contract not met', example: 'no `create_team(session)` → the module must define `def create_team(session)` at top level' },
  FG408: { title: 'top level outside the contract', example: '`pytest_plugins = [...]` → `pytest_plugins` is not allowed in fixture code: it imports other modules' },
  FG409: { title: 'statement or expression outside the subset', example: '`with open(p) as f:` → fixture code may not use `with` statements: inside a function only assignments, … are allowed' },
  FG410: { title: 'pytest collection failed', example: '→ collection failed: test_smoke: ImportError: …' },
  FG411: { title: 'smoke test failed', example: '→ smoke test failed: test_rows: grants has 9 items, expected 10' },
  FG412: { title: 'verification timed out', example: '→ verification timed out after 60 s and was killed' },
  FG413: { title: 'pytest collected nothing', example: '→ pytest collected nothing: …' },
  FG414: { title: 'a variant\'s create function or fixture is missing', example: 'no `create_team__solo` for the variant `solo` → variant "solo": the module must define `def create_team__solo(session, overrides=None)`, which builds the variant\'s rows and which `create_team(session, variant="solo")` returns' },
  FG415: { title: 'the factory does not dispatch a variant, apply overrides or check the call', example: '→ the scenario\'s factory failed: test_fixturegen_scenario[team__solo] (factory call): … the overrides of "users" never reached apply_overrides: create_team__solo must call apply_overrides(overrides, "users", users) right after adding users to the session' },
  FG460: { title: 'constraint test failed at build time', example: '→ constraint test failed: test_delete_acme_sql: … DID NOT RAISE IntegrityError (the database did not do what the schema says: a trigger, or foreign keys off)' },
  FG461: { title: 'a derived edge case failed at build time', example: '→ edge case users[0].joined_at=2024-02-29T12:00:00+00:00: the database returned 2024-02-29 12:00:00 (not what was written), or create_<name> raised TypeError' },
  FG462: { title: 'edge cases the database refused are left out, and no test runs them', example: '`constraint_tests: false` → 2 edge cases the database refused are left out of the fixture and no test runs them: chess.dues=-1.00, chess.dues=-9999.99' },
  FG499: { title: 'a smoke test\'s pass was not confirmed by the smoke test itself', example: '→ smoke test not confirmed: test_fixturegen_scenario[x]: pytest reported passed, but fixturegen\'s smoke test did not confirm it …' },
  FG601: { title: 'configuration file does not parse', example: '→ invalid YAML: … (or invalid TOML)' },
  FG602: { title: 'no configuration file', example: '→ no fixturegen.yaml (or [tool.fixturegen] in pyproject.toml) here or above' },
  FG603: { title: 'invalid configuration key or value', example: '`verfy: run` → unknown key "verfy" (hint: did you mean "verify"?)' },
  FG610: { title: 'the models cannot be imported', example: '→ cannot import the models (crm.models): ModuleNotFoundError: … (exit 3)' },
  FG611: { title: 'the models do not configure', example: '→ the models do not configure (crm.models): MapperError: … (exit 3)' },
  FG612: { title: 'the SQLAlchemy version is not supported', example: '→ SQLAlchemy 1.3.24 is not supported: fixturegen works with SQLAlchemy 1.4 and 2.x (exit 3)' },
  FG630: { title: 'the database cannot hold the models', example: 'ARRAY columns with the default SQLite → the default database (an in-memory SQLite) cannot hold the models: column survey.tags has type ARRAY, which sqlite does not have (hint: … set database_url in the configuration …, or FIXTUREGEN_DATABASE_URL for one run)' },
  FG620: { title: 'async output with a sync database driver', example: '`async: true` with `database_url: sqlite:///app.db` → async: true needs an async driver in database_url; sqlite:///app.db uses pysqlite (hint: use sqlite+aiosqlite:///app.db)' },
  FG698: { title: 'configuration file cannot be read', example: '`fixturegen.yaml` is a FIFO → the configuration file is a named pipe (FIFO), not a regular file (also too large, no permission)' },
  FG699: { title: 'verification cannot be fully confined here (warning, once)', example: '→ verification is not fully confined on this machine: missing Landlock (…): writes outside the temporary folder …' },
} as const satisfies Record<`FG${number}`, CodeInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

/** What each hundred of codes is about, by its first digit. */
export const STAGES = {
  '1': { stage: 'scenario', about: 'the file: YAML and the schema' },
  '2': { stage: 'semantic', about: 'what the scenario means against the models' },
  '3': { stage: 'generation', about: 'generation' },
  '4': { stage: 'verification', about: 'guard and verification' },
  '5': { stage: 'output', about: 'output and check' },
  '6': { stage: 'environment', about: 'configuration and environment' },
} as const;

export type Stage = (typeof STAGES)[keyof typeof STAGES]['stage'];

export interface RegistryEntry extends CodeInfo {
  readonly code: DiagnosticCode;
  readonly stage: Stage;
}

export function isDiagnosticCode(code: string): code is DiagnosticCode {
  return Object.hasOwn(DIAGNOSTICS, code);
}

export function stageOf(code: DiagnosticCode): Stage {
  return STAGES[code[2] as keyof typeof STAGES].stage;
}

/** Every entry, in code order. */
export function registry(): RegistryEntry[] {
  return (Object.keys(DIAGNOSTICS) as DiagnosticCode[])
    .sort()
    .map((code) => ({ code, stage: stageOf(code), ...DIAGNOSTICS[code] }));
}
