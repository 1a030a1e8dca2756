/**
 * The model catalog, as the Python helper's `introspect` method reports it (JSON, camelCase keys).
 * Everything is sorted by the helper: models by qualname, columns and relationships by key.
 */

/** How a literal from YAML is checked and converted for a column. */
export type TypeFamily =
  | 'integer'
  | 'float'
  | 'numeric'
  | 'boolean'
  | 'string'
  | 'date'
  | 'datetime'
  | 'time'
  | 'interval'
  | 'enum'
  | 'uuid'
  | 'json'
  | 'binary'
  | 'array'
  | 'other';

export interface ForeignKeyInfo {
  /** Target table and database column name. */
  readonly table: string;
  readonly column: string;
  /** Qualname of the mapped class owning the target table, when one is mapped. */
  readonly model: string | null;
  /** Attribute key of the target column on that class. */
  readonly attribute: string | null;
  readonly ondelete: string | null;
}

export interface EnumInfo {
  /** What the database stores, in order (member names for a Python enum unless values_callable). */
  readonly stored: readonly string[];
  /** For a Python `enum.Enum`: its import location and its members. */
  readonly pythonEnum: {
    readonly module: string;
    readonly name: string;
    readonly members: readonly { readonly name: string; readonly value: unknown }[];
    /**
     * The column binds the members' values, not the members (a `String` column annotated
     * `Mapped[Kind]` with a `Kind` that is not a `str` enum): code writes `Kind.MEMBER.value`.
     */
    readonly asValue?: boolean;
  } | null;
}

export interface ColumnInfo {
  /** Attribute key on the mapped class (not the database column name). */
  readonly key: string;
  /** Database column name. */
  readonly name: string;
  /** Table that holds the column (differs from the model's table under joined inheritance). */
  readonly table: string;
  /** SQLAlchemy type class name, e.g. `String`, `Numeric`, `Enum`, `AutoString`. */
  readonly type: string;
  readonly family: TypeFamily;
  /** `TypeEngine.python_type` name (falling back to the impl for TypeDecorators), or null. */
  readonly pythonType: string | null;
  readonly nullable: boolean;
  readonly primaryKey: boolean;
  /** True when the database generates the value (autoincrementing integer primary key). */
  readonly autoincrement: boolean;
  readonly hasDefault: boolean;
  readonly hasServerDefault: boolean;
  readonly foreignKeys: readonly ForeignKeyInfo[];
  readonly length: number | null;
  readonly precision: number | null;
  readonly scale: number | null;
  readonly timezone: boolean;
  readonly enum: EnumInfo | null;
  /** Item type family for ARRAY columns. */
  readonly itemFamily: TypeFamily | null;
  readonly isDiscriminator: boolean;
  /**
   * For a TypeDecorator (or an annotated column) whose values are not what its storage type
   * says: the storage type (`BINARY(16)`), and which rule found `family` (`library`: a known
   * library's type; `annotation`: `Mapped[Kind]`; `python_type`; `probe`: values bound and read
   * back through the decorator; `none`: nothing found). Absent for plain columns.
   */
  readonly storedAs?: string;
  readonly familyFrom?: 'library' | 'annotation' | 'python_type' | 'probe' | 'none';
  /** A TypeDecorator that processes values but takes none fixturegen can write. */
  readonly unplaced?: boolean;
}

export type RelationshipDirection = 'ONETOMANY' | 'MANYTOONE' | 'MANYTOMANY';

export interface RelationshipInfo {
  readonly key: string;
  /** Qualname of the target mapped class. */
  readonly target: string;
  readonly direction: RelationshipDirection;
  readonly uselist: boolean;
  /** Name of the secondary (link) table, if any. */
  readonly secondary: string | null;
  /** For MANYTOONE: the attribute keys of the local foreign-key columns it sets. */
  readonly localColumns: readonly string[];
  readonly backPopulates: string | null;
  readonly viewonly: boolean;
  /**
   * Constraint-test facts (absent in catalogs written before them). For ONETOMANY: the attribute
   * keys of the target's foreign-key columns that point back.
   */
  readonly remoteColumns?: readonly string[];
  /** The ORM cascade flags, sorted (`delete`, `delete-orphan`, `merge`, `save-update`, …). */
  readonly cascade?: readonly string[];
  /** `passive_deletes`: leave unloaded children to the database (`all`: loaded ones too). */
  readonly passiveDeletes?: boolean | 'all';
  /** For MANYTOMANY: the link table's foreign keys (column, the table it points at, ondelete). */
  readonly secondaryForeignKeys?: readonly {
    readonly column: string;
    readonly table: string;
    readonly ondelete: string | null;
  }[];
}

/** A CHECK constraint of a model's own table (constraint tests). */
export interface CheckConstraintInfo {
  readonly name: string | null;
  readonly table: string;
  /** The SQL text as written in the model, before a dialect compiles it. */
  readonly sql: string;
  /** Attribute keys of the columns it names. */
  readonly columns: readonly string[];
}

export interface ModelInfo {
  /** Class name, e.g. `User`. */
  readonly name: string;
  /** Module the class is defined in, e.g. `crm.models`. */
  readonly module: string;
  /** `module.Class`; unique in the catalog. */
  readonly qualname: string;
  readonly table: string;
  readonly columns: readonly ColumnInfo[];
  readonly relationships: readonly RelationshipInfo[];
  /** Attribute keys of the primary key, in order. */
  readonly primaryKey: readonly string[];
  /** Sets of attribute keys covered by a primary key, unique constraint or unique index. */
  readonly uniques: readonly (readonly string[])[];
  /**
   * Of `uniques`, the sets only a partial unique index covers (`postgresql_where=`): unique among
   * the rows its condition holds for. Synthesized values stay distinct; FG228 leaves them out.
   * Absent when there is none.
   */
  readonly partialUniques?: readonly (readonly string[])[];
  /** Qualname of the mapped parent class under inheritance. */
  readonly inherits: string | null;
  readonly polymorphicOn: string | null;
  readonly polymorphicIdentity: string | null;
  /** Single-table inheritance child. */
  readonly single: boolean;
  readonly abstract: boolean;
  /** The CHECK constraints of its own table (absent in catalogs written before them). */
  readonly checkConstraints?: readonly CheckConstraintInfo[];
  /**
   * For a class mapped as a dataclass (`MappedAsDataclass`): its fields by attribute key, whether
   * `__init__` takes each and whether it must be given. Absent for other classes, whose
   * constructor takes any mapped attribute as a keyword.
   */
  readonly dataclassFields?: readonly DataclassField[];
  /**
   * How generated code reaches the class when `from <module> import <name>` does not (classes
   * built with `type()` and kept in a dict, defined in a function, exported under another name).
   * Absent when that import works.
   */
  readonly access?: ModelAccess;
}

export type ModelAccess =
  /** `from <module> import <name>` is the class. */
  | { readonly via: 'attribute'; readonly module: string; readonly name: string }
  /**
   * `<name>` in `<module>` is a declarative base or a class of the same registry (`declarative`,
   * reached as `<name>.registry`) or the `registry` itself; the class is the one of its mappers
   * whose `module.qualname` is `key`.
   */
  | {
      readonly via: 'declarative' | 'registry';
      readonly module: string;
      readonly name: string;
      readonly key: string;
    };

export interface DataclassField {
  readonly key: string;
  readonly init: boolean;
  readonly required: boolean;
}

export interface Catalog {
  /** The configured import paths that were introspected. */
  readonly modules: readonly string[];
  readonly models: readonly ModelInfo[];
  /** Source files of every imported module under the configured packages (for watch). */
  readonly files: readonly string[];
  readonly sqlalchemyVersion: string;
}
