import type { EventStore, ReadModelStore, SubjectKeyStore } from '@crm/events';
import { KurrentEventStore } from '@crm/kurrentdb';
import { MongoReadModelStore } from '@crm/mongodb';
import { PostgresEventStore, PostgresSubjectKeyStore } from '@crm/postgres';
import { SqliteEventStore, SqliteReadModelStore, SqliteSubjectKeyStore } from '@crm/sqlite';
import { join } from 'node:path';
import type { ServiceConfig } from '../config/service-config';

// The one place that chooses adapters from configuration; everything else sees the ports.
// Keys live with the events (PostgreSQL next to KurrentDB): erasure must not depend on a
// file on a scratch disk.

export function openEventStore(config: ServiceConfig): Promise<EventStore> {
  if (config.kurrentdb) return KurrentEventStore.open(config.kurrentdb.connectionString);
  if (config.eventStore === 'postgres' && config.postgres) {
    return PostgresEventStore.open(config.postgres.url, { schema: config.postgres.schema });
  }
  return Promise.resolve(new SqliteEventStore(join(config.serviceDataDir, 'events.db')));
}

export function openSubjectKeyStore(config: ServiceConfig): Promise<SubjectKeyStore> {
  if (config.keyStore === 'postgres' && config.postgres) {
    return PostgresSubjectKeyStore.open(config.postgres.url, { schema: config.postgres.schema });
  }
  return Promise.resolve(new SqliteSubjectKeyStore(join(config.serviceDataDir, 'keys.db')));
}

export function openReadModelStore(config: ServiceConfig): Promise<ReadModelStore> {
  if (config.mongodb)
    return MongoReadModelStore.connect(config.mongodb.url, { dbName: config.mongodb.database });
  return Promise.resolve(new SqliteReadModelStore(join(config.serviceDataDir, 'read-models.db')));
}
