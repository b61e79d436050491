import type { EventStore } from '@crm/events';
import { EVENT_STORE } from '@crm/platform';
import type { TestApp } from '@crm/platform/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { startContacts } from './contacts-test-app';

// What the CSV suites share: a service per block, the import request and report readers.

export const fixture = (name: string): Buffer =>
  readFileSync(join(__dirname, 'fixtures/csv', name));

export interface Suite {
  service: TestApp;
  rep: string;
  manager: string;
  analyst: string;
  store: EventStore;
}

/** One service per block: fixtures are fixed files, and each block imports them afresh. */
export function suite(env: NodeJS.ProcessEnv = {}): Suite {
  const s = {} as Suite;
  beforeAll(async () => {
    s.service = await startContacts(env);
    s.rep = `Bearer ${await s.service.token(['rep'])}`;
    s.manager = `Bearer ${await s.service.token(['manager'], 'maria')}`;
    s.analyst = `Bearer ${await s.service.token(['analyst'], 'olga', 'insights')}`;
    s.store = s.service.app.get<EventStore>(EVENT_STORE);
  });
  afterAll(() => s.service.close());
  return s;
}

export const importCsv = (s: Suite, body: Buffer | string, type = 'text/csv', token = s.rep) =>
  request(s.service.server)
    .post('/imports')
    .set('Authorization', token)
    .set('Content-Type', type)
    .send(typeof body === 'string' ? Buffer.from(body) : body);

export const get = (s: Suite, path: string, token = s.rep) =>
  request(s.service.server).get(path).set('Authorization', token);

export async function rowsOf(
  s: Suite,
  importId: string,
  query = '',
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const page = await get(
      s,
      `/imports/${importId}/rows?limit=100${query}${cursor ? `&cursor=${cursor}` : ''}`,
    ).expect(200);
    rows.push(...(page.body.items as Record<string, unknown>[]));
    cursor = page.body.nextCursor as string | null;
  } while (cursor);
  return rows;
}

/** The streams that got events after `position`: nothing but the new import's, if nothing changed. */
export async function streamsWrittenSince(s: Suite, position: number): Promise<string[]> {
  return [...new Set((await s.store.readAll(position + 1, 1_000_000)).map((e) => e.streamId))];
}

export const allUnchanged = (rows: number) => ({
  created: 0,
  updated: 0,
  unchanged: rows,
  duplicate: 0,
  rejected: 0,
});

export const contact = async (s: Suite, id: string) =>
  (await get(s, `/contacts/${id}`).expect(200)).body;
