/**
 * The SQLAlchemy version family the generated code is written for, from the version the helper
 * reports (`Catalog.sqlalchemyVersion`). Only `db_session` differs: 2.x joins the test's outer
 * transaction with `join_transaction_mode="create_savepoint"`, which 1.4 lacks; 1.4 gets its own
 * documented recipe (a SAVEPOINT begun again after each one ends).
 */
export type SqlalchemyFamily = '1.4' | '2';

export function sqlalchemyFamily(version: string): SqlalchemyFamily {
  return /^1\./.test(version) ? '1.4' : '2';
}
