import type { Database } from 'better-sqlite3';

/** Runs `action` on the adapter's open database; storage failures become `PERSISTENCE_ERROR`. */
export type SqliteRunner = <T>(operation: string, action: (db: Database) => T) => Promise<T>;

/** Prepared statements cached per open database (preparing costs more than a small write). */
export function statementCache<S>(prepare: (db: Database) => S): (db: Database) => S {
  const cache = new WeakMap<Database, S>();
  return (db) => {
    let statements = cache.get(db);
    if (!statements) {
      statements = prepare(db);
      cache.set(db, statements);
    }
    return statements;
  };
}
