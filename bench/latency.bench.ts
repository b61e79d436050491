import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EventConsumer } from '@crm/kafka';
import { unique } from '@crm/kafka/testing';
import { mintToken } from '@crm/platform';
import { freePort, progress, waitReady, withTempDir } from './fixtures';
import { kafkaOptions } from './relay.bench';
import { type BenchResult, round, upperBound } from './report';

const MAIN = join(__dirname, '../dist/apps/contacts/main.js');
const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const CONTACTS = 300;
const WARMUP = 20;
/** A few requests in flight, so the relay sees both single events and small batches. */
const CONCURRENCY = 4;
const ARRIVAL_TIMEOUT_MS = 60_000;

async function waitUntil(what: string, timeoutMs: number, ready: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${String(timeoutMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Time from a register-contact 201 at the client to the event applied by a Kafka consumer:
 * the built contacts service with BUS=kafka (its relay tails the SQLite store and
 * publishes), and an EventConsumer in this process whose handler notes the arrival of each
 * contact in an in-memory read model. Both clocks are this process's.
 */
export async function latencyBench(): Promise<BenchResult[]> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npx nx build contacts first`);
  const kafka = kafkaOptions('crm-bench-latency');
  const prefix = `${unique('bench-latency')}.`;
  const topic = `${prefix}crm.contacts.contact.v1`;
  return withTempDir('latency', async (dir) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        DATA_DIR: dir,
        JWT_SECRET: SECRET,
        LOG_LEVEL: 'warn',
        BUS: 'kafka',
        KAFKA_BROKERS: kafka.brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    /** The read model: contact id → when its registration was applied. */
    const applied = new Map<string, number>();
    const consumer = new EventConsumer(kafka, {
      groupId: unique('bench-latency'),
      topics: [topic],
      fromBeginning: true,
      createDeadLetterTopics: false,
      handler: (event) => {
        const at = performance.now();
        if (!applied.has(event.subject)) applied.set(event.subject, at);
        return Promise.resolve();
      },
      onError: (error) => progress(`latency: consumer error: ${String(error)}`),
    });
    try {
      // The service creates its topic before it listens, so it exists once ready.
      await waitReady(url, child);
      await consumer.start();
      await waitUntil('consumer got no partitions', 30_000, () =>
        Boolean(consumer.assignment[topic]?.length),
      );
      const token = await mintToken(SECRET, 'quick-sales-crm', {
        employeeId: 'bench',
        team: 'sales',
        roles: ['rep'],
      });
      const register = async (n: number): Promise<{ streamId: string; at: number }> => {
        const response = await fetch(`${url}/contacts`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            kind: 'person',
            relationship: 'b2c',
            name: `Ada ${String(n)}`,
            primaryEmail: `ada${String(n)}@example.com`,
          }),
        });
        const at = performance.now();
        await response.arrayBuffer();
        const location = response.headers.get('location');
        if (response.status !== 201 || !location) {
          throw new Error(`register contact: HTTP ${String(response.status)}`);
        }
        return { streamId: `contact-${location.slice(location.lastIndexOf('/') + 1)}`, at };
      };
      const run = async (count: number): Promise<Map<string, number>> => {
        const created = new Map<string, number>();
        let next = 0;
        const worker = async (): Promise<void> => {
          for (let n = next++; n < count; n = next++) {
            const { streamId, at } = await register(n);
            created.set(streamId, at);
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        await waitUntil(
          `not all of ${String(count)} contacts reached the consumer`,
          ARRIVAL_TIMEOUT_MS,
          () => [...created.keys()].every((id) => applied.has(id)),
        );
        return created;
      };
      progress(`latency: warm-up, ${String(WARMUP)} contacts`);
      await run(WARMUP);
      progress(`latency: ${String(CONTACTS)} contacts, ${String(CONCURRENCY)} in flight`);
      const created = await run(CONTACTS);
      const latencies = [...created].map(([id, at]) => (applied.get(id) ?? Number.NaN) - at);
      const sorted = [...latencies].sort((a, b) => a - b);
      const details = {
        count: sorted.length,
        concurrency: CONCURRENCY,
        warmup: WARMUP,
        meanMs: round(sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length, 2),
        minMs: round(sorted[0] ?? Number.NaN, 2),
        p50Ms: round(percentile(sorted, 50), 2),
        p99Ms: round(percentile(sorted, 99), 2),
        maxMs: round(sorted[sorted.length - 1] ?? Number.NaN, 2),
        partitions: consumer.assignment[topic]?.length ?? 0,
      };
      return [
        upperBound('latency.http-to-consumer.p50', percentile(sorted, 50), 'ms', null, details),
        upperBound('latency.http-to-consumer.p99', percentile(sorted, 99), 'ms', null, details),
      ];
    } finally {
      await consumer.stop().catch((error: unknown) => progress(`latency: ${String(error)}`));
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
}
