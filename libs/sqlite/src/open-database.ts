import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

/**
 * Opens a database file in WAL mode with full fsync on commit: an acknowledged write
 * survives a process crash and a power cut. Group commit keeps that affordable.
 */
export function openDatabase(
  file: string,
  options: { secureDelete?: boolean } = {},
): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  if (options.secureDelete) db.pragma('secure_delete = ON');
  return db;
}
