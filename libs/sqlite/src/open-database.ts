import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type SqliteDatabase = Database.Database;

const REBUILDABLE_PAGE_SIZE = 16_384;
const WAL_CHECKPOINT_BYTES = 80 * 1024 * 1024;

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
   * scattered upserts is not written twice. A new file gets 16 KiB pages: documents of
   * about a kilobyte, written by the ten thousand, cost fewer page writes and b-tree
   * splits than with 4 KiB pages.
   */
  readonly rebuildable?: boolean;
}

export function openDatabase(file: string, options: DatabaseOptions = {}): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // Only takes effect on a file without tables yet, and must come before WAL mode.
  if (options.rebuildable) db.pragma(`page_size = ${REBUILDABLE_PAGE_SIZE}`);
  db.pragma('journal_mode = WAL');
  db.pragma(options.rebuildable ? 'synchronous = NORMAL' : 'synchronous = FULL');
  if (options.rebuildable) {
    db.pragma('cache_size = -65536');
    // About 80 MB of WAL between checkpoints, whatever the page size of the file.
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`wal_autocheckpoint = ${Math.round(WAL_CHECKPOINT_BYTES / pageSize)}`);
  }
  db.pragma('busy_timeout = 5000');
  if (options.secureDelete) db.pragma('secure_delete = ON');
  return db;
}

/** What another connection to the same file runs to be set up as `db` is. */
export function settingsOf(db: SqliteDatabase): string[] {
  return ['synchronous', 'cache_size', 'wal_autocheckpoint', 'busy_timeout'].map(
    (pragma) => `${pragma} = ${String(db.pragma(pragma, { simple: true }))}`,
  );
}

/**
 * Where better-sqlite3 is, for a thread of its own (the rebuild writer, the log reader) to
 * load it: resolved as the main script would (a bundled service's `require.resolve` answers
 * a module number, not a path), else from the working directory; null if neither finds it.
 */
export function driverPath(): string | null {
  for (const from of [process.argv[1], join(process.cwd(), 'index.js')]) {
    try {
      if (from) return createRequire(from).resolve('better-sqlite3');
    } catch {
      // not found from there
    }
  }
  return null;
}
