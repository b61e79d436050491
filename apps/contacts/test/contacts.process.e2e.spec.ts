// The contacts service as an operator runs it: the built bundle in its own OS process,
// killed, stopped and misconfigured for real. Run `npx nx build contacts` first.
import { eventually } from '@crm/events/testing';
import { mintToken } from '@crm/platform';
import { openDatabase } from '@crm/sqlite';
import {
  acceptsConnections,
  childEnv,
  type HeldRequest,
  holdRequest,
  type ServiceProcess,
  spawnServiceProcess,
  startServiceProcess,
  TEST_JWT_SECRET,
  within,
  withOutputOf,
  WORKSPACE_ROOT,
} from '@crm/platform/testing';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const MAIN = 'dist/apps/contacts/main.js';
const ISSUER = 'quick-sales-crm';
const ALICE = { employeeId: 'alice', team: 'sales', roles: ['rep'] } as const;

let dataDir: string;
let rep: string;
const processes: ServiceProcess[] = [];

beforeAll(async () => {
  rep = await mintToken(TEST_JWT_SECRET, ISSUER, ALICE);
});

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'crm-contacts-process-'));
});

afterEach(async () => {
  await Promise.all(processes.splice(0).map((service) => service.kill('SIGKILL')));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the contacts service as an OS process', () => {
  scenario(
    'given a burst of registrations, when the process is killed with SIGKILL, ' +
      'then every contact answered 201 is there after restart',
    async () => {
      const first = await start();
      const burst = await registerUntilKilled(first, { clients: 16, killAfter: 300 });
      expect(await within(first.exited, 10_000, 'exit after SIGKILL')).toEqual({
        code: null,
        signal: 'SIGKILL',
      });
      expect(burst.inFlightAtKill).toBeGreaterThan(0);

      const restarted = await start();
      const ready = await fetch(`${restarted.url}/health/ready`);
      expect([ready.status, await ready.json()]).toEqual([200, { status: 'ok' }]);
      expect(await namesById(restarted, [...burst.acknowledged.keys()])).toEqual(
        burst.acknowledged,
      );
      await eventually(async () => {
        const listed = new Set(await listedIds(restarted));
        expect([...burst.acknowledged.keys()].filter((id) => !listed.has(id))).toEqual([]);
      }, 15_000);
    },
  );

  scenario(
    'given requests at log level info, then the logs are JSON lines with request and actor, and no personal data',
    async () => {
      const service = await start({ LOG_LEVEL: 'info' });
      const response = await fetch(`${service.url}/contacts?search=ada.private@example.com`, {
        method: 'POST',
        headers: { authorization: `Bearer ${rep}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'person',
          relationship: 'b2c',
          name: 'Ada Secretname',
          primaryEmail: 'ada.private@example.com',
          primaryPhone: '+44 20 7946 0958',
        }),
      });
      expect(response.status).toBe(201);
      const lines = await eventually(() => {
        const logged = service
          .output()
          .stdout.split('\n')
          .filter((line) => line.includes('"req"'));
        expect(logged.length).toBeGreaterThan(0);
        return logged;
      });
      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(entries).toContainEqual(
        expect.objectContaining({
          service: 'contacts',
          actorId: 'alice',
          req: expect.objectContaining({ method: 'POST', url: '/contacts' }),
        }),
      );
      const all = service.output().stdout + service.output().stderr;
      for (const secret of ['Secretname', 'ada.private', '7946', rep])
        expect(all).not.toContain(secret);
    },
  );

  scenario(
    'given requests in flight, when SIGTERM arrives, then they complete and the process exits 0',
    async () => {
      // A long shutdown timeout: exiting within the bounded wait below proves the drain did it.
      const service = await start({ SHUTDOWN_TIMEOUT_MS: '60000' });
      const names = Array.from({ length: 50 }, (_, n) => `Draining ${n}`);
      const registrations = await within(
        Promise.all(names.map((name) => holdRegistration(service, name))),
        10_000,
        'the service beginning 50 registrations',
      );
      // Held by its (ignored) body, this readiness check is answered after SIGTERM took effect.
      const readiness = await holdRequest(`${service.url}/health/ready`, {
        method: 'GET',
        body: {},
      });

      const exited = service.kill('SIGTERM');
      await eventually(async () => expect(await acceptsConnections(service.port)).toBe(false));
      const answers = await Promise.all(registrations.map(outcome));
      expect(answers.map(({ status }) => status)).toEqual(names.map(() => 201));
      expect((await outcome(readiness)).status).toBe(503);
      expect(await within(exited, 10_000, 'exit after SIGTERM')).toEqual({ code: 0, signal: null });

      const restarted = await start();
      const ids = answers.map(({ body }) => (JSON.parse(body) as { id: string }).id);
      expect(await namesById(restarted, ids)).toEqual(new Map(ids.map((id, n) => [id, names[n]])));
    },
  );

  describe('a background import (Prefer: respond-async)', () => {
    const ROWS = 10_000;
    const file = `kind,relationship,name,emails\n${Array.from(
      { length: ROWS },
      (_, i) => `person,b2c,Imported ${i},imported.${i}@background.example`,
    ).join('\n')}\n`;

    /** Starts the import; resolves once at least one chunk of it is recorded. */
    async function importUnderWay(service: ServiceProcess): Promise<string> {
      const response = await fetch(`${service.url}/imports`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${rep}`,
          'content-type': 'text/csv',
          prefer: 'respond-async',
        },
        body: file,
      });
      expect(response.status).toBe(202);
      const { id } = (await response.json()) as { id: string };
      // From the log itself: the report is a read model, which may show the import done
      // before it ever showed it under way.
      await eventually(
        () => expect(importEvents(id, 'ImportRowsRecorded')).toBeGreaterThan(0),
        15_000,
      );
      expect(importEvents(id, 'ImportCompleted')).toBe(0);
      return id;
    }

    /** Imports the file again, synchronously: every row is created or unchanged, none twice. */
    async function importedAgain(service: ServiceProcess): Promise<void> {
      const response = await fetch(`${service.url}/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${rep}`, 'content-type': 'text/csv' },
        body: file,
      });
      expect(response.status).toBe(201);
      const { counts } = (await response.json()) as { counts: Record<string, number> };
      expect(counts).toMatchObject({ duplicate: 0, rejected: 0, updated: 0 });
      expect((counts['created'] ?? 0) + (counts['unchanged'] ?? 0)).toBe(ROWS);
      expect(counts['unchanged']).toBeGreaterThan(0);
    }

    const spooled = () =>
      readdirSync(join(dataDir, 'contacts', 'import-spool'), { recursive: true });

    scenario(
      'when the process is killed with SIGKILL, then the restarted service records it failed (import-interrupted), and importing the file again completes it',
      async () => {
        const first = await start();
        const importId = await importUnderWay(first);
        await first.kill('SIGKILL');

        const restarted = await start();
        // The report is a read model: it shows the failure once it has folded it.
        await eventually(
          async () =>
            expect(await report(restarted, importId)).toMatchObject({
              status: 'failed',
              failure: { code: 'import-interrupted' },
            }),
          15_000,
        );
        // The killed process's upload went with the import's failure.
        expect(spooled().filter((name) => String(name).endsWith('.csv'))).toEqual([]);
        await importedAgain(restarted);
      },
    );

    scenario(
      'when SIGTERM arrives, then it stops at its next chunk recorded failed (import-interrupted), and the process exits 0',
      async () => {
        const service = await start();
        const importId = await importUnderWay(service);
        expect(await within(service.kill('SIGTERM'), 10_000, 'exit after SIGTERM')).toEqual({
          code: 0,
          signal: null,
        });
        // Recorded by the process that stopped: it left no upload for a restart to find.
        expect(spooled().filter((name) => String(name).endsWith('.csv'))).toEqual([]);

        const restarted = await start();
        await eventually(async () => {
          const stopped = await report(restarted, importId);
          expect(stopped).toMatchObject({
            status: 'failed',
            failure: { code: 'import-interrupted' },
          });
          expect(stopped.rows).toBeLessThan(ROWS);
        }, 15_000);
        await importedAgain(restarted);
      },
    );
  });
  for (const thread of ['worker', 'main'] as const) {
    scenario(
      `given PROJECTION_THREAD=${thread}, when a party is registered, then its export ` +
        'waits for every read model and finds the party in each',
      async () => {
        const service = await start({ PROJECTION_THREAD: thread });
        const registered = await register(service, 'Ada Lovelace');
        expect(registered.status).toBe(201);
        const { id } = (await registered.json()) as { id: string };
        const manager = await mintToken(TEST_JWT_SECRET, ISSUER, { ...ALICE, roles: ['manager'] });

        const exported = await fetch(`${service.url}/contacts/${id}/export`, {
          headers: { authorization: `Bearer ${manager}` },
        });

        expect(exported.status).toBe(200);
        const { readModels } = (await exported.json()) as { readModels: { readModel: string }[] };
        expect(readModels.map(({ readModel }) => readModel).sort()).toEqual([
          'contact_list_v2',
          'contact_match_v2',
          'contact_search_v2',
          'duplicate_candidates_v2',
        ]);
      },
    );
  }

  describe('given a bad environment variable, then the process exits 1 naming it', () => {
    const cases = [
      ['PORT', 'not-a-port'],
      ['JWT_SECRET', 'short'],
      ['LOG_LEVEL', 'loud'],
      ['PROJECTION_THREAD', 'both'],
    ] as const;
    for (const [variable, value] of cases) {
      scenario(`${variable}=${value}`, async () => {
        const service = await spawnServiceProcess({
          main: MAIN,
          dataDir,
          env: { [variable]: value },
        });
        processes.push(service);
        const exit = await within(service.exited, 20_000, 'exit on bad configuration');
        expect(exit).toEqual({ code: 1, signal: null });
        expect(service.output().stderr).toMatch(
          new RegExp(`^contacts failed to start: .*\\b${variable}\\b`, 'm'),
        );
      });
    }
  });

  scenario(
    'given no JWT_SECRET, then a secret is generated into the data directory once ' +
      'and tokens minted by the token command are accepted',
    async () => {
      const first = await start({ JWT_SECRET: undefined });
      const secretFile = join(dataDir, 'jwt-secret');
      expect(statSync(secretFile).mode & 0o777).toBe(0o600);
      const secret = readFileSync(secretFile, 'utf8');

      const { stdout } = await promisify(execFile)(
        join(WORKSPACE_ROOT, 'node_modules/.bin/tsx'),
        ['tools/token.ts', '--employee', 'alice', '--team', 'sales', '--role', 'rep'],
        { cwd: WORKSPACE_ROOT, env: childEnv({ DATA_DIR: dataDir }), timeout: 30_000 },
      );
      expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
      const token = stdout.trim();
      expect((await register(first, 'Ada Lovelace', token)).status).toBe(201);

      await first.kill('SIGTERM');
      const restarted = await start({ JWT_SECRET: undefined });
      expect((await register(restarted, 'Grace Hopper', token)).status).toBe(201);
      expect(readFileSync(secretFile, 'utf8')).toBe(secret);

      const foreign = await mintToken(randomBytes(48).toString('base64url'), ISSUER, ALICE);
      const refused = await register(restarted, 'Mallory', foreign);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
    },
  );
});

// ---- helpers ----

/** it() with a generous timeout; a failure shows what the service processes wrote. */
function scenario(name: string, body: () => Promise<void>): void {
  it(
    name,
    async () => {
      try {
        await body();
      } catch (error) {
        throw withOutputOf(processes, error);
      }
    },
    60_000,
  );
}

async function start(env: NodeJS.ProcessEnv = {}): Promise<ServiceProcess> {
  const service = await startServiceProcess({ main: MAIN, dataDir, env });
  processes.push(service);
  return service;
}

const registration = (name: string) => ({
  kind: 'person',
  relationship: 'b2c',
  name,
  primaryEmail: `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`,
});

function register(service: ServiceProcess, name: string, token = rep): Promise<Response> {
  return fetch(`${service.url}/contacts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(registration(name)),
    signal: AbortSignal.timeout(10_000),
  });
}

/**
 * Client loops registering contacts back to back; once `killAfter` were answered 201, the
 * process gets SIGKILL while the other loops' requests are in flight. Returns id → name of
 * every contact answered 201.
 */
async function registerUntilKilled(
  service: ServiceProcess,
  { clients, killAfter }: { clients: number; killAfter: number },
): Promise<{ acknowledged: Map<string, string>; inFlightAtKill: number }> {
  const acknowledged = new Map<string, string>();
  let killed = false;
  const isKilled = () => killed; // a call, so the loops re-read it after every await
  let inFlight = 0;
  let inFlightAtKill = 0;
  const client = async (n: number) => {
    for (let i = 0; !isKilled(); i++) {
      const name = `Burst ${n}-${i}`;
      inFlight++;
      try {
        const response = await register(service, name);
        if (response.status !== 201) {
          throw new Error(`${response.status} ${await response.text()}`);
        }
        acknowledged.set(((await response.json()) as { id: string }).id, name);
      } catch (error) {
        if (!isKilled()) throw error; // after the kill, failed connections are expected
      } finally {
        inFlight--;
      }
      if (!isKilled() && acknowledged.size >= killAfter) {
        killed = true;
        inFlightAtKill = inFlight;
        void service.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
  return { acknowledged, inFlightAtKill };
}

function holdRegistration(service: ServiceProcess, name: string): Promise<HeldRequest> {
  return holdRequest(`${service.url}/contacts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rep}` },
    body: registration(name),
  });
}

/** Lets a held request finish: its status, or the error code if the connection failed. */
function outcome(held: HeldRequest): Promise<{ status: number | string; body: string }> {
  return held.send().catch((error: unknown) => ({
    status: (error as NodeJS.ErrnoException).code ?? String(error),
    body: '',
  }));
}

/** How many events of a type an import's stream has, read from the service's log file. */
function importEvents(importId: string, type: string): number {
  const db = openDatabase(join(dataDir, 'contacts', 'events.db'));
  try {
    const { count } = db
      .prepare('SELECT count(*) AS count FROM events WHERE stream_id = ? AND type = ?')
      .get(`import-${importId}`, type) as { count: number };
    return count;
  } finally {
    db.close();
  }
}

/** An import's report as `GET /imports/:id` answers it. */
async function report(
  service: ServiceProcess,
  importId: string,
): Promise<{ status: string; rows: number; failure: { code: string } | null }> {
  const response = await fetch(`${service.url}/imports/${importId}`, {
    headers: { authorization: `Bearer ${rep}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    status: string;
    rows: number;
    failure: { code: string } | null;
  };
}

/** id → name as `GET /contacts/:id` answers it (or the status when it is not 200). */
async function namesById(service: ServiceProcess, ids: string[]): Promise<Map<string, string>> {
  const answers = await Promise.all(
    ids.map(async (id) => {
      const response = await fetch(`${service.url}/contacts/${id}`, {
        headers: { authorization: `Bearer ${rep}` },
      });
      const { name } = (await response.json()) as { name?: string };
      return [id, response.status === 200 && name ? name : `HTTP ${response.status}`] as const;
    }),
  );
  return new Map(answers);
}

/** Every id in the contact list read model, a page at a time. */
async function listedIds(service: ServiceProcess): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await fetch(`${service.url}/contacts?limit=100${query}`, {
      headers: { authorization: `Bearer ${rep}` },
    });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { items: { id: string }[]; nextCursor: string | null };
    ids.push(...page.items.map(({ id }) => id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}
