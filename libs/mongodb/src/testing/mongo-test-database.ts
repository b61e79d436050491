import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';

/*
 * Integration tests run against a real MongoDB wire-protocol server (FerretDB here, MongoDB
 * in docker-compose), named by MONGODB_URL; each test gets a database of its own.
 */

const START_HINT = 'bash scripts/engines/ferretdb.sh start && source .engines/ferretdb.env';

export const mongoUrl = process.env['MONGODB_URL'];

/** `describe`, or a skip that says so loudly (not a silent pass) when there is no server. */
export function describeWithMongo(name: string, tests: (url: string) => void): void {
  if (!mongoUrl) {
    const reason =
      `SKIPPED "${name}": MONGODB_URL is not set, so these tests did not run. Start a server ` +
      `with: ${START_HINT}`;
    console.warn(reason);
    // Jest drops the console output of a file whose tests were all skipped; stderr stays.
    process.stderr.write(`\n${reason}\n`);
    describe.skip(name, () => {
      tests('mongodb://unset/');
    });
    return;
  }
  describe(name, () => {
    tests(mongoUrl);
  });
}

/** A database name no other test uses (FerretDB's SQLite backend: a file per database). */
export function freshDatabaseName(): string {
  return `test_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

/** A connection to a fresh database, dropped with `dropAll`. */
export class TestDatabases {
  private readonly names: string[] = [];

  constructor(private readonly url: string) {}

  fresh(): string {
    const name = freshDatabaseName();
    this.names.push(name);
    return name;
  }

  async connect(dbName = this.fresh()): Promise<Connection> {
    return mongoose
      .createConnection(this.url, { dbName, serverSelectionTimeoutMS: 5000 })
      .asPromise();
  }

  async dropAll(): Promise<void> {
    const names = this.names.splice(0);
    if (names.length === 0) return;
    const connection = await this.connect('admin');
    try {
      for (const name of names) await connection.useDb(name).dropDatabase();
    } finally {
      await connection.close();
    }
  }
}
