import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTACT_TOPIC } from '@crm/events';
import { eventually } from '@crm/events/testing';
import type { KafkaOptions } from '@crm/kafka';
import { describeWithKafka, readTopic, topicSize, unique } from '@crm/kafka/testing';
import { mintToken } from '@crm/platform';
import {
  startServiceProcess,
  TEST_JWT_SECRET,
  withOutputOf,
  type ServiceProcess,
} from '@crm/platform/testing';

// Two contacts processes on the same stores, as two pods of one Deployment: PostgreSQL
// event store and keys, MongoDB read models, Kafka. Only one of them may publish to Kafka at
// a time (the relay leader); when it dies the other takes over from the shared checkpoint.
const { POSTGRES_URL, MONGODB_URL } = process.env;
/** Bounds every wait: the leader's session timeout is 10 s, the machine is small and shared. */
const WAIT_MS = 60_000;

describeWithKafka('two replicas of the contacts service', (kafka) => {
  if (!POSTGRES_URL || !MONGODB_URL) {
    const reason =
      'POSTGRES_URL and MONGODB_URL are not set (scripts/engines/up.sh, then source .engines/env.sh)';
    process.stderr.write(`\nSKIPPED "two replicas of the contacts service": ${reason}\n\n`);
    describe.skip('share the work', () => {
      it(reason, () => undefined);
    });
    return;
  }

  const stores = `t_${randomBytes(5).toString('hex')}`;
  const prefix = `${unique('test')}.`;
  const topic = `${prefix}${CONTACT_TOPIC}`;
  const dataDirs: string[] = [];
  const replicas: ServiceProcess[] = [];
  let token: string;

  const startReplica = () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-contacts-replica-'));
    dataDirs.push(dataDir);
    return startServiceProcess({
      main: 'dist/apps/contacts/main.js',
      dataDir,
      env: {
        EVENT_STORE: 'postgres',
        POSTGRES_URL,
        POSTGRES_SCHEMA: stores,
        READ_MODELS: 'mongodb',
        MONGODB_URL,
        MONGODB_DATABASE: stores,
        BUS: 'kafka',
        KAFKA_BROKERS: kafka.brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        LOG_LEVEL: 'info',
      },
      readyTimeoutMs: WAIT_MS,
    });
  };

  beforeAll(async () => {
    token = await mintToken(TEST_JWT_SECRET, 'quick-sales-crm', {
      employeeId: 'alice',
      team: 'sales',
      roles: ['rep'],
    });
    // One after the other: the first creates the schema, the tables and the topics.
    replicas.push(await startReplica());
    replicas.push(await startReplica());
  }, 3 * WAIT_MS);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.kill('SIGTERM')));
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  // --- what a client and a downstream consumer see ----------------------------------------

  const call = async (replica: ServiceProcess, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${replica.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      etag: response.headers.get('etag'),
      text: await response.text(),
    };
  };

  /** Stream id → revision of its last acknowledged write (the ETag). */
  const acknowledged = new Map<string, number>();
  const acknowledge = (stream: string, etag: string | null) => {
    const revision = /^W\/"(\d+)"$/.exec(etag ?? '')?.[1];
    if (revision === undefined) throw new Error(`no revision in ETag ${String(etag)}`);
    acknowledged.set(stream, Number(revision));
  };
  /** Every acknowledged event as "stream@revision": a write may append several events. */
  const acknowledgedEvents = () =>
    [...acknowledged].flatMap(([stream, last]) =>
      Array.from({ length: last + 1 }, (_, revision) => `${stream}@${String(revision)}`),
    );

  /** Registers a contact through the replica; returns its stream id once acknowledged (201). */
  const register = async (replica: ServiceProcess, name: string): Promise<string> => {
    const response = await call(replica, 'POST', '/contacts', {
      kind: 'person',
      relationship: 'b2c',
      name,
    });
    expect(response.status).toBe(201);
    const stream = `contact-${(JSON.parse(response.text) as { id: string }).id}`;
    acknowledge(stream, response.etag);
    return stream;
  };

  const rename = async (replica: ServiceProcess, stream: string, name: string) => {
    const id = stream.slice('contact-'.length);
    const response = await call(replica, 'PUT', `/contacts/${id}/name`, { name });
    expect(response.status).toBe(200);
    acknowledge(stream, response.etag);
  };

  const listedNames = async (replica: ServiceProcess): Promise<string[]> => {
    const response = await call(replica, 'GET', '/contacts?limit=100');
    expect(response.status).toBe(200);
    const page = JSON.parse(response.text) as { items: { name: string }[] };
    return page.items.map((item) => item.name).sort();
  };

  /** The replica's `crm_kafka_relay_leader` gauge: 1 while it publishes. */
  const leads = async (replica: ServiceProcess): Promise<number> => {
    const response = await call(replica, 'GET', '/metrics');
    expect(response.status).toBe(200);
    const value = /^crm_kafka_relay_leader (\d+)$/m.exec(response.text)?.[1];
    if (value === undefined) throw new Error(`no crm_kafka_relay_leader in ${replica.url}/metrics`);
    return Number(value);
  };

  /** Every message on the topic as "stream@revision", duplicates included. */
  const published = async (options: KafkaOptions): Promise<string[]> => {
    const messages = await readTopic(options, topic, await topicSize(options, topic), WAIT_MS);
    return messages.map((m) => `${String(m.key)}@${String(m.headers['ce_streamrevision'])}`).sort();
  };

  /** Asserts that the condition keeps holding for `ms`: the bounded way to see that nothing more happens. */
  const holdsFor = async (assertion: () => Promise<void>, ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      await assertion();
      await new Promise((wake) => setTimeout(wake, 250));
    }
  };

  const scenario = (name: string, body: () => Promise<void>) =>
    it(
      name,
      async () => {
        try {
          await body();
        } catch (error) {
          throw withOutputOf(replicas, error);
        }
      },
      4 * WAIT_MS,
    );

  scenario(
    'given two replicas on the same stores, when contacts are written through both in turn, then each lists the other one’s contacts, exactly one publishes, and every event reaches Kafka once',
    async () => {
      const [first, second] = replicas as [ServiceProcess, ServiceProcess];
      const names = ['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances'];
      const streams: string[] = [];
      for (const [index, name] of names.entries()) {
        streams.push(await register(index % 2 === 0 ? first : second, `${name} Lovelace`));
      }
      // Each contact renamed through the replica it was not registered through.
      for (const [index, stream] of streams.entries()) {
        await rename(index % 2 === 0 ? second : first, stream, `${names[index]!} King`);
      }
      const written = acknowledgedEvents();

      const expectedNames = names.map((name) => `${name} King`).sort();
      await eventually(
        async () => expect(await listedNames(first)).toEqual(expectedNames),
        WAIT_MS,
      );
      await eventually(
        async () => expect(await listedNames(second)).toEqual(expectedNames),
        WAIT_MS,
      );

      await eventually(async () => {
        expect([await leads(first), await leads(second)].sort()).toEqual([0, 1]);
      }, WAIT_MS);

      await eventually(
        async () => expect(await topicSize(kafka, topic)).toBeGreaterThanOrEqual(written.length),
        WAIT_MS,
      );
      // Steady state: one publisher, so the count stays at one message per event.
      await holdsFor(async () => {
        expect(await topicSize(kafka, topic)).toBe(written.length);
        expect([await leads(first), await leads(second)].sort()).toEqual([0, 1]);
      }, 5_000);
      expect(await published(kafka)).toEqual([...written].sort());
    },
  );

  scenario(
    'given the leader is killed, when writes go on through the survivor, then the survivor takes over publishing and every acknowledged write reaches Kafka',
    async () => {
      const leading = await Promise.all(replicas.map((replica) => leads(replica)));
      const leader = replicas[leading.indexOf(1)];
      const survivor = replicas[leading.indexOf(0)];
      if (!leader || !survivor)
        throw new Error(`expected one leader, got gauges ${String(leading)}`);

      const logged = survivor.output().stdout.length;
      await leader.kill('SIGKILL');
      const killed = Date.now();
      // Acknowledged while nobody publishes: the survivor must publish them once it leads.
      await register(survivor, 'Alan Turing');
      await register(survivor, 'Kurt Goedel');

      await eventually(async () => expect(await leads(survivor)).toBe(1), WAIT_MS);
      const tookOverMs = Date.now() - killed;
      await register(survivor, 'Emmy Noether');
      const written = acknowledgedEvents();

      await eventually(async () => {
        const onTopic = new Set(await published(kafka));
        expect(written.filter((event) => !onTopic.has(event))).toEqual([]);
      }, WAIT_MS);
      // The session timeout (10 s) plus a rejoin; far less than the wait allowed.
      expect(tookOverMs).toBeLessThan(40_000);
      expect(survivor.output().stdout.slice(logged)).toMatch(/relay leadership acquired/);
      await eventually(async () => expect(await listedNames(survivor)).toHaveLength(9), WAIT_MS);
    },
  );
});
