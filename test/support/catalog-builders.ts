/**
 * Small builders for model catalogs in tests: every ColumnInfo / RelationshipInfo / ModelInfo field
 * has a default, so a test states only what it is about.
 */
import type {
  Catalog,
  ColumnInfo,
  EnumInfo,
  ForeignKeyInfo,
  ModelInfo,
  RelationshipInfo,
  TypeFamily,
} from '../../src/catalog/types.js';

const FAMILY_BY_TYPE: Record<string, TypeFamily> = {
  Integer: 'integer',
  BigInteger: 'integer',
  SmallInteger: 'integer',
  Float: 'float',
  Numeric: 'numeric',
  Boolean: 'boolean',
  String: 'string',
  Text: 'string',
  Unicode: 'string',
  Date: 'date',
  DateTime: 'datetime',
  Time: 'time',
  Interval: 'interval',
  Enum: 'enum',
  Uuid: 'uuid',
  JSON: 'json',
  LargeBinary: 'binary',
  ARRAY: 'array',
};

export type ColumnSpec = Partial<ColumnInfo> & { readonly type?: string };

/** A column; `family` follows from `type` unless given. Defaults: nullable, no keys, no defaults. */
export function column(key: string, spec: ColumnSpec = {}): ColumnInfo {
  const type = spec.type ?? 'String';
  return {
    key,
    name: key,
    table: '',
    type,
    family: FAMILY_BY_TYPE[type] ?? 'other',
    pythonType: null,
    nullable: true,
    primaryKey: false,
    autoincrement: false,
    hasDefault: false,
    hasServerDefault: false,
    foreignKeys: [],
    length: null,
    precision: null,
    scale: null,
    timezone: false,
    enum: null,
    itemFamily: null,
    isDiscriminator: false,
    ...spec,
  };
}

/** The usual `id: Mapped[int] = mapped_column(primary_key=True)`. */
export function idColumn(key = 'id'): ColumnInfo {
  return column(key, { type: 'Integer', nullable: false, primaryKey: true, autoincrement: true });
}

export function foreignKey(
  table: string,
  model: string | null,
  col = 'id',
  attribute: string | null = col,
): ForeignKeyInfo {
  return { table, column: col, model, attribute, ondelete: null };
}

/** A NOT NULL (unless overridden) integer foreign-key column. */
export function fkColumn(key: string, fk: ForeignKeyInfo, spec: ColumnSpec = {}): ColumnInfo {
  return column(key, { type: 'Integer', nullable: false, foreignKeys: [fk], ...spec });
}

export function relationship(
  key: string,
  target: string,
  direction: RelationshipInfo['direction'],
  spec: Partial<RelationshipInfo> = {},
): RelationshipInfo {
  return {
    key,
    target,
    direction,
    uselist: direction !== 'MANYTOONE',
    secondary: null,
    localColumns: [],
    backPopulates: null,
    viewonly: false,
    ...spec,
  };
}

export function pythonEnum(
  module: string,
  name: string,
  members: readonly (readonly [string, unknown])[],
): EnumInfo {
  return {
    stored: members.map(([n]) => n),
    pythonEnum: { module, name, members: members.map(([n, value]) => ({ name: n, value })) },
  };
}

export interface ModelSpec extends Partial<Omit<ModelInfo, 'columns'>> {
  readonly columns?: readonly ColumnInfo[];
}

/** A mapped class `module.name`; columns get the model's table; sorted like the helper sorts. */
export function model(qualname: string, spec: ModelSpec = {}): ModelInfo {
  const dot = qualname.lastIndexOf('.');
  const table = spec.table ?? qualname.slice(dot + 1).toLowerCase();
  const columns = (spec.columns ?? [idColumn()])
    .map((c) => (c.table === '' ? { ...c, table } : c))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const primaryKey = spec.primaryKey ?? columns.filter((c) => c.primaryKey).map((c) => c.key);
  return {
    name: qualname.slice(dot + 1),
    module: qualname.slice(0, dot),
    qualname,
    table,
    relationships: [...(spec.relationships ?? [])].sort((a, b) => (a.key < b.key ? -1 : 1)),
    primaryKey,
    uniques: spec.uniques ?? (primaryKey.length > 0 ? [primaryKey] : []),
    inherits: null,
    polymorphicOn: null,
    polymorphicIdentity: null,
    single: false,
    abstract: false,
    ...spec,
    columns,
  };
}

export function catalog(models: readonly ModelInfo[], modules?: readonly string[]): Catalog {
  const sorted = [...models].sort((a, b) => (a.qualname < b.qualname ? -1 : 1));
  return {
    modules: modules ?? [...new Set(sorted.map((m) => m.module))].sort(),
    models: sorted,
    files: [],
    sqlalchemyVersion: '2.0.36',
  };
}

const M = 'crm.models';

/**
 * The sample CRM (crm/models.py) as the helper reports it, plus a few models that exercise other
 * column types (crm.audit), inheritance (crm.people) and an ambiguous class name (crm.legacy.User).
 */
export function crmCatalog(): Catalog {
  const planEnum = pythonEnum(M, 'Plan', [
    ['free', 'free'],
    ['pro', 'pro'],
    ['enterprise', 'enterprise'],
  ]);
  const tenant = model(`${M}.Tenant`, {
    table: 'tenant',
    columns: [
      idColumn(),
      column('name', { type: 'String', length: 100, nullable: false }),
      column('plan', { type: 'Enum', nullable: false, hasDefault: true, enum: planEnum }),
      column('created_on', { type: 'Date', nullable: false }),
    ],
    uniques: [['id'], ['name']],
    relationships: [
      relationship('users', `${M}.User`, 'ONETOMANY', { backPopulates: 'tenant' }),
      relationship('roles', `${M}.Role`, 'ONETOMANY', { backPopulates: 'tenant' }),
      relationship('teams', `${M}.Team`, 'ONETOMANY', { backPopulates: 'tenant' }),
    ],
  });
  const tenantFk = foreignKey('tenant', `${M}.Tenant`);
  const user = model(`${M}.User`, {
    table: 'user_account',
    columns: [
      idColumn(),
      fkColumn('tenant_id', tenantFk),
      column('email', { type: 'String', length: 255, nullable: false }),
      column('full_name', { type: 'String', length: 100 }),
      fkColumn('manager_id', foreignKey('user_account', `${M}.User`), { nullable: true }),
      column('is_active', { type: 'Boolean', nullable: false, hasDefault: true }),
      column('salary', { type: 'Numeric', precision: 10, scale: 2 }),
      column('settings', { type: 'JSON' }),
    ],
    uniques: [['email'], ['id']],
    relationships: [
      relationship('tenant', `${M}.Tenant`, 'MANYTOONE', {
        localColumns: ['tenant_id'],
        backPopulates: 'users',
      }),
      relationship('manager', `${M}.User`, 'MANYTOONE', {
        localColumns: ['manager_id'],
        backPopulates: 'reports',
      }),
      relationship('reports', `${M}.User`, 'ONETOMANY', { backPopulates: 'manager' }),
      relationship('grants', `${M}.PermissionGrant`, 'ONETOMANY', { backPopulates: 'user' }),
      relationship('teams', `${M}.Team`, 'MANYTOMANY', {
        secondary: 'team_membership',
        backPopulates: 'members',
      }),
    ],
  });
  const role = model(`${M}.Role`, {
    table: 'role',
    columns: [
      idColumn(),
      fkColumn('tenant_id', tenantFk),
      column('name', { type: 'String', length: 50, nullable: false }),
    ],
    uniques: [['id'], ['tenant_id', 'name']],
    relationships: [
      relationship('tenant', `${M}.Tenant`, 'MANYTOONE', {
        localColumns: ['tenant_id'],
        backPopulates: 'roles',
      }),
      relationship('grants', `${M}.PermissionGrant`, 'ONETOMANY', { backPopulates: 'role' }),
    ],
  });
  const grant = model(`${M}.PermissionGrant`, {
    table: 'permission_grant',
    columns: [
      idColumn(),
      fkColumn('user_id', foreignKey('user_account', `${M}.User`)),
      fkColumn('role_id', foreignKey('role', `${M}.Role`)),
      column('permission', { type: 'String', length: 100, nullable: false }),
    ],
    relationships: [
      relationship('user', `${M}.User`, 'MANYTOONE', {
        localColumns: ['user_id'],
        backPopulates: 'grants',
      }),
      relationship('role', `${M}.Role`, 'MANYTOONE', {
        localColumns: ['role_id'],
        backPopulates: 'grants',
      }),
    ],
  });
  const team = model(`${M}.Team`, {
    table: 'team',
    columns: [
      idColumn(),
      fkColumn('tenant_id', tenantFk),
      column('name', { type: 'String', length: 100, nullable: false }),
      column('budget', { type: 'Numeric', precision: 12, scale: 2, nullable: false }),
      column('settings', { type: 'JSON' }),
    ],
    relationships: [
      relationship('tenant', `${M}.Tenant`, 'MANYTOONE', {
        localColumns: ['tenant_id'],
        backPopulates: 'teams',
      }),
      relationship('members', `${M}.User`, 'MANYTOMANY', {
        secondary: 'team_membership',
        backPopulates: 'teams',
      }),
    ],
  });
  const audit = model('crm.audit.AuditEvent', {
    table: 'audit_event',
    columns: [
      idColumn(),
      column('happened_at', { type: 'DateTime', timezone: true }),
      column('logged_at', { type: 'DateTime' }),
      column('token', { type: 'Uuid' }),
      column('duration', { type: 'Interval' }),
      column('at_time', { type: 'Time' }),
      column('payload', { type: 'LargeBinary' }),
      column('score', { type: 'Float' }),
      column('big', { type: 'BigInteger' }),
      column('small', { type: 'SmallInteger' }),
      column('level', {
        type: 'Enum',
        enum: { stored: ['low', 'high'], pythonEnum: null },
      }),
      column('tags', { type: 'ARRAY', itemFamily: 'string' }),
      column('custom', { type: 'PickleType' }),
    ],
  });
  const setting = model('crm.audit.Setting', {
    table: 'setting',
    columns: [
      column('key', { type: 'String', length: 6, nullable: false, primaryKey: true }),
      column('token', { type: 'Uuid', nullable: false, primaryKey: false }),
      column('seq', { type: 'SmallInteger', nullable: false }),
      column('day', { type: 'Date', nullable: false }),
      column('value', { type: 'JSON', nullable: false }),
    ],
    uniques: [['key'], ['token'], ['seq'], ['day']],
  });
  const person = model('crm.people.Person', {
    table: 'person',
    columns: [
      idColumn(),
      column('kind', { type: 'String', length: 20, nullable: false, isDiscriminator: true }),
      column('name', { type: 'String', length: 50, nullable: false }),
    ],
    polymorphicOn: 'kind',
    polymorphicIdentity: 'person',
  });
  const customer = model('crm.people.Customer', {
    table: 'customer',
    columns: [
      column('id', {
        type: 'Integer',
        nullable: false,
        primaryKey: true,
        foreignKeys: [foreignKey('person', 'crm.people.Person')],
      }),
      column('kind', {
        type: 'String',
        length: 20,
        nullable: false,
        isDiscriminator: true,
        table: 'person',
      }),
      column('name', { type: 'String', length: 50, nullable: false, table: 'person' }),
      column('vip', { type: 'Boolean', nullable: false }),
    ],
    inherits: 'crm.people.Person',
    polymorphicIdentity: 'customer',
  });
  const legacyUser = model('crm.legacy.User', { table: 'legacy_user' });
  return catalog([tenant, user, role, grant, team, audit, setting, person, customer, legacyUser]);
}
