import { CONTACT_TOPIC } from '@crm/events';
import { describeWithKafka, readTopic, unique } from '@crm/kafka/testing';
import { mintToken } from '@crm/platform';
import { startServiceProcess, TEST_JWT_SECRET, type ServiceProcess } from '@crm/platform/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The service runs as its own OS process with BUS=kafka; this test process reads the topic
// as a downstream consumer in its own consumer group would.
describeWithKafka('contacts published to Kafka', (kafka) => {
  let service: ServiceProcess;
  let dataDir: string;
  let prefix: string;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'crm-contacts-kafka-'));
    prefix = `${unique('test')}.`;
    service = await startServiceProcess({
      main: 'dist/apps/contacts/main.js',
      dataDir,
      env: { BUS: 'kafka', KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC_PREFIX: prefix },
      readyTimeoutMs: 60_000,
    });
  }, 90_000);

  afterEach(async () => {
    await service.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('given contacts registered over HTTP, then each reaches a consumer in another process as a CloudEvent keyed by its stream id', async () => {
    const token = await mintToken(TEST_JWT_SECRET, 'quick-sales-crm', {
      employeeId: 'alice',
      team: 'sales',
      roles: ['rep'],
    });
    const ids: string[] = [];
    for (const name of ['Ada Lovelace', 'Grace Hopper', 'Edsger Dijkstra']) {
      const response = await fetch(`${service.url}/contacts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'person', relationship: 'b2c', name }),
      });
      expect(response.status).toBe(201);
      ids.push(((await response.json()) as { id: string }).id);
    }
    await fetch(`${service.url}/contacts/${ids[0]!}/name`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Augusta Ada King' }),
    });

    // Each registration is two events (registered, owner assigned), then the rename.
    const messages = await readTopic(kafka, `${prefix}${CONTACT_TOPIC}`, 7, 60_000);
    expect(messages.map((m) => m.key).sort()).toEqual(
      [...ids, ...ids, ids[0]!].map((id) => `contact-${id}`).sort(),
    );
    const first = messages.filter((m) => m.key === `contact-${ids[0]!}`);
    expect(first.map((m) => [m.headers['ce_type'], m.headers['ce_streamrevision']])).toEqual([
      ['crm.contacts.contact-registered.v1', '0'],
      ['crm.contacts.contact-owner-assigned.v1', '1'],
      ['crm.contacts.contact-renamed.v1', '2'],
    ]);
    expect(first[0]?.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_source: '/crm/contacts',
      ce_subject: `contact-${ids[0]!}`,
      ce_actorid: 'alice',
      ce_actorteam: 'sales',
      'content-type': 'application/json',
    });
    // Personal data travels sealed: a consumer sees the facts, never the names.
    const value = JSON.parse(first[0]?.value ?? '{}') as Record<string, unknown>;
    expect(value).toMatchObject({ contactId: ids[0], kind: 'person', relationship: 'b2c' });
    expect(messages.map((m) => m.value).join()).not.toMatch(/Ada|Grace|Edsger|Augusta/);
  }, 120_000);

  it('given a CSV import, then its parties are published and the import batch stream, private to the service, is not', async () => {
    const token = await mintToken(TEST_JWT_SECRET, 'quick-sales-crm', {
      employeeId: 'alice',
      team: 'sales',
      roles: ['rep'],
    });
    const csv = 'external_id,kind,relationship,name\ncrm-1,person,b2c,Ada Lovelace\n';
    const imported = await fetch(`${service.url}/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(imported.status).toBeLessThan(300);
    // Written after the import: it reaches the topic only if the relay got past the batch.
    const after = await fetch(`${service.url}/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'organization', relationship: 'b2b', name: 'After Ltd' }),
    });
    expect(after.status).toBe(201);
    const afterKey = `contact-${((await after.json()) as { id: string }).id}`;

    const messages = await readTopic(kafka, `${prefix}${CONTACT_TOPIC}`, 4, 60_000);
    expect(messages.map((m) => m.key)).toContain(afterKey);
    expect(messages.every((m) => m.key?.startsWith('contact-'))).toBe(true);
    expect(messages.map((m) => m.headers['ce_type'])).toContain(
      'crm.contacts.contact-registered.v1',
    );
  }, 120_000);
});
