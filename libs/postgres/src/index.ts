export type { PostgresOptions } from './schema';
export * from './postgres-event-store';
export * from './postgres-subject-key-store';
