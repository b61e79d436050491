import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

/**
 * Opens a database file in WAL mode with full fsync on commit: an acknowledged write
 * survives a process crash and a power cut. Group commit keeps that affordable.
 */
export interface DatabaseOptions {
  readonly secureDelete?: boolean;
  /**
   * For files that can be rebuilt from the log (read models): commits skip the fsync
   * (a power cut may lose the newest commits, never consistency, since the checkpoint is
   * in the same transaction), a larger page cache, and rarer WAL checkpoints so a batch of
   * scattered upserts is not written twice.
   */
  readonly rebuildable?: boolean;
}

export function openDatabase(file: string, options: DatabaseOptions = {}): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(options.rebuildable ? 'synchronous = NORMAL' : 'synchronous = FULL');
  if (options.rebuildable) {
    db.pragma('cache_size = -65536');
    db.pragma('wal_autocheckpoint = 20000');
  }
  db.pragma('busy_timeout = 5000');
  if (options.secureDelete) db.pragma('secure_delete = ON');
  return db;
}
