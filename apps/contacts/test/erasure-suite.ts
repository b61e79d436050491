import type { EventStore, ReadModelStore, SubjectKeyStore } from '@crm/events';
import { MongoReadModelStore } from '@crm/mongodb';
import { EVENT_STORE, READ_MODELS, SUBJECT_KEYS, type ServiceConfig } from '@crm/platform';
import type { TestApp } from '@crm/platform/testing';
import { openDatabase } from '@crm/sqlite';
import { join } from 'node:path';
import request from 'supertest';
import { readModelsCaughtUp, startContacts } from './contacts-test-app';

// What the erasure suites share: a service with a token per role, and every way to read
// what it holds, as text to search for personal data.

/** A page of a paged read: its link to the next one. */
interface Page {
  readonly nextRevision?: number | null;
  readonly nextCursor?: string | null;
}

/** Stores of another replica of the same service: the same database, schema or directory. */
export const sameStoresAs = (config: ServiceConfig): NodeJS.ProcessEnv =>
  config.postgres && config.mongodb
    ? { POSTGRES_SCHEMA: config.postgres.schema, MONGODB_DATABASE: config.mongodb.database }
    : { DATA_DIR: config.dataDir };

export interface ErasureSuite {
  service: TestApp;
  rep: string;
  manager: string;
  analyst: string;
  admin: string;
  store: EventStore;
  keys: SubjectKeyStore;
}

/** One service for a describe block; its fields are set before the first test. */
export function erasureSuite() {
  const s = {} as ErasureSuite;
  beforeAll(async () => {
    s.service = await startContacts();
    s.rep = `Bearer ${await s.service.token(['rep'])}`;
    s.manager = `Bearer ${await s.service.token(['manager'], 'maria', 'sales')}`;
    s.analyst = `Bearer ${await s.service.token(['analyst'], 'olga', 'insights')}`;
    s.admin = `Bearer ${await s.service.token(['admin'], 'dpo', 'privacy')}`;
    s.store = s.service.app.get<EventStore>(EVENT_STORE);
    s.keys = s.service.app.get<SubjectKeyStore>(SUBJECT_KEYS);
  });
  afterAll(() => s.service.close());

  const http = () => request(s.service.server);
  const readText = async (path: string, as = s.analyst): Promise<string> => {
    const response = await http().get(path).set('Authorization', as).expect(200);
    return response.text;
  };
  async function allPages(first: string, next: (page: Page) => string | null): Promise<string> {
    const pages: string[] = [];
    for (let path: string | null = first; path !== null;) {
      const response = await http().get(path).set('Authorization', s.analyst).expect(200);
      pages.push(response.text);
      path = next(response.body as Page);
    }
    return pages.join('\n');
  }
  const events = (id: string) => s.store.readStream(`contact-${id}`);

  return {
    suite: s,
    http,
    readText,
    register: async (body: object): Promise<string> =>
      (await http().post('/contacts').set('Authorization', s.rep).send(body).expect(201)).body
        .id as string,
    write: (method: 'post' | 'put', path: string, body: object) =>
      http()[method](path).set('Authorization', s.rep).send(body).expect(200),
    erase: (id: string, as?: string) =>
      http()
        .delete(`/contacts/${id}/personal-data`)
        .set('Authorization', as ?? s.admin),
    events,
    typesOf: async (id: string) => (await events(id)).map((e) => e.type),
    keyOf: (id: string) => s.keys.find(`contact-${id}`),
    readModelsCaughtUp: () => readModelsCaughtUp(s.service),
    historyPages: (id: string) =>
      allPages(`/contacts/${id}/history?limit=2`, ({ nextRevision }) =>
        typeof nextRevision === 'number'
          ? `/contacts/${id}/history?limit=2&fromRevision=${nextRevision}`
          : null,
      ),
    listPages: (query: string) =>
      allPages(`/contacts?limit=2&${query}`, ({ nextCursor }) =>
        typeof nextCursor === 'string' ? `/contacts?limit=2&${query}&cursor=${nextCursor}` : null,
      ),
    duplicatePages: () =>
      allPages('/duplicates?limit=100', ({ nextCursor }) =>
        typeof nextCursor === 'string' ? `/duplicates?limit=100&cursor=${nextCursor}` : null,
      ),
    /** Every row of every read-model table or collection, as stored. */
    rawReadModelRows: async (): Promise<string> => {
      const readModels = s.service.app.get<ReadModelStore>(READ_MODELS);
      if (readModels instanceof MongoReadModelStore) {
        const db = readModels['db'];
        const dump: unknown[] = [];
        for (const { name } of await db.listCollections().toArray()) {
          dump.push(name, await db.collection(name).find().toArray());
        }
        return JSON.stringify(dump);
      }
      const db = openDatabase(join(s.service.config.serviceDataDir, 'read-models.db'));
      try {
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
          name: string;
        }[];
        return JSON.stringify(
          tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all()]),
        );
      } finally {
        db.close();
      }
    },
    /** The raw log: every event as stored. */
    rawLog: async () => JSON.stringify(await s.store.readAll(1, 1_000_000)),
  };
}
