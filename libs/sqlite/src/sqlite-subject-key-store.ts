import { generateDataKey, type SubjectKeyStore } from '@crm/events';
import type { Statement } from 'better-sqlite3';
import { GroupCommit } from './group-commit';
import { openDatabase, type SqliteDatabase } from './open-database';

/**
 * Data keys for crypto-shredding, in their own file next to the event store. A destroyed
 * key leaves a tombstone (so it is never re-created) and `secure_delete` overwrites the
 * freed bytes instead of leaving them in free pages.
 */
export class SqliteSubjectKeyStore implements SubjectKeyStore {
  private readonly db: SqliteDatabase;
  private readonly writes: GroupCommit;
  private readonly sql: {
    find: Statement<[string], { key: Buffer | null }>;
    insert: Statement<[string, Buffer, string]>;
    destroy: Statement<[string, string, string]>;
  };

  constructor(file: string) {
    this.db = openDatabase(file, { secureDelete: true });
    this.db.exec(`CREATE TABLE IF NOT EXISTS subject_keys (
      subject      TEXT PRIMARY KEY,
      key          BLOB,
      created_at   TEXT NOT NULL,
      destroyed_at TEXT
    ) WITHOUT ROWID`);
    // Keys first: events sealed with a key created in a turn are appended in the same turn.
    this.writes = new GroupCommit(this.db, 'first');
    this.sql = {
      find: this.db.prepare('SELECT key FROM subject_keys WHERE subject = ?'),
      insert: this.db.prepare(
        'INSERT INTO subject_keys (subject, key, created_at) VALUES (?, ?, ?) ON CONFLICT (subject) DO NOTHING',
      ),
      destroy: this.db.prepare(
        `INSERT INTO subject_keys (subject, key, created_at, destroyed_at) VALUES (?, NULL, ?, ?)
         ON CONFLICT (subject) DO UPDATE SET key = NULL, destroyed_at = excluded.destroyed_at`,
      ),
    };
  }

  async getOrCreate(subject: string): Promise<Buffer | null> {
    const existing = this.sql.find.get(subject);
    if (existing) return existing.key;
    return this.writes.run(() => {
      const key = generateDataKey();
      const { changes } = this.sql.insert.run(subject, key, new Date().toISOString());
      // Not inserted: another write created the key first, or destroyed it (null).
      return changes === 1 ? key : (this.sql.find.get(subject)?.key ?? null);
    });
  }

  find(subject: string): Promise<Buffer | null> {
    return Promise.resolve(this.sql.find.get(subject)?.key ?? null);
  }

  async destroy(subject: string): Promise<void> {
    const now = new Date().toISOString();
    await this.writes.run(() => this.sql.destroy.run(subject, now, now));
  }

  async close(): Promise<void> {
    await this.writes.drain();
    this.writes.close();
    if (this.db.open) this.db.close();
  }
}
