import { cleanEnv, num, port, str } from 'envalid';
import { resolve } from 'node:path';

/**
 * 128 MB semispaces. Rebuilding the contact list from 1M events took about 0.3 s less with
 * 64 MB semispaces than with V8's 16 (scavenges 0.9 → 0.6 s), and about 0.2 s less again
 * with 128 (runs taken turn about; 256 was slower). See ADR 17.
 */
export const DEFAULT_PROJECTION_YOUNG_GENERATION_MB = 384;

export interface ServiceConfig {
  readonly service: string;
  readonly host: string;
  readonly port: number;
  /** Root of the embedded data; each service keeps its files in `<dataDir>/<service>`. */
  readonly dataDir: string;
  readonly serviceDataDir: string;
  /** HS256 secret from JWT_SECRET; when unset, the embedded default keeps one in the data dir. */
  readonly jwtSecret: string | null;
  readonly jwtIssuer: string;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  /** Limit of a streamed CSV import body (it never sits in memory whole). */
  readonly importBodyLimitBytes: number;
  readonly shutdownTimeoutMs: number;
  readonly eventStore: 'sqlite' | 'postgres' | 'kurrentdb';
  /** Where the crypto-shredding keys live: with the events, or PostgreSQL for KurrentDB. */
  readonly keyStore: 'sqlite' | 'postgres';
  /** Set when EVENT_STORE=kurrentdb. */
  readonly kurrentdb: { readonly connectionString: string } | null;
  readonly readModels: 'embedded' | 'mongodb';
  /**
   * Where the read models fold the log: `worker`, a thread of their own, so HTTP requests do
   * not wait behind them; `main`, the HTTP thread. Tests that boot the app in-process always
   * fold in their own thread.
   */
  readonly projectionThread: 'worker' | 'main';
  /**
   * How long a live read model waits after committing a batch before reading the next, so
   * that under load it folds more events per transaction. Read-your-writes waits for up to
   * this much longer; a write after a quiet spell is folded at once.
   */
  readonly projectionBatchDelayMs: number;
  /**
   * The projection thread's young generation in MB (V8 `maxYoungGenerationSizeMb`, three
   * times a semispace). Larger: fewer scavenges while a rebuild holds its folded documents
   * (ADR 17), at the cost of that much memory at most, used only under allocation pressure.
   */
  readonly projectionYoungGenerationMb: number;
  /** Set when the event store or the key store is PostgreSQL. */
  readonly postgres: { readonly url: string; readonly schema: string } | null;
  /** Set when BUS=kafka: the relay publishes every event to its category topic. */
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly topicPrefix: string;
    readonly partitions: number;
    readonly replicationFactor: number;
    readonly retentionMs: number;
  } | null;
  /** Set when READ_MODELS=mongodb. */
  readonly mongodb: { readonly url: string; readonly database: string } | null;
}

export class ConfigError extends Error {
  constructor(readonly variables: Record<string, string>) {
    super(
      `invalid configuration: ${Object.entries(variables)
        .map(([name, problem]) => `${name} ${problem}`)
        .join('; ')}`,
    );
  }
}

/** Reads and validates the service's environment; throws a ConfigError naming every bad variable. */
export function loadServiceConfig(
  service: string,
  defaultPort: number,
  env: NodeJS.ProcessEnv = process.env,
): ServiceConfig {
  const vars = cleanEnv(
    env,
    {
      HOST: str({ default: '127.0.0.1', desc: 'interface to listen on' }),
      PORT: port({ default: defaultPort }),
      DATA_DIR: str({ default: './data' }),
      JWT_SECRET: str({ default: '' }),
      JWT_ISSUER: str({ default: 'quick-sales-crm' }),
      LOG_LEVEL: str({
        default: 'info',
        choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      }),
      HTTP_BODY_LIMIT_BYTES: num({ default: 65_536 }),
      IMPORT_BODY_LIMIT_BYTES: num({ default: 268_435_456 }),
      SHUTDOWN_TIMEOUT_MS: num({ default: 10_000 }),
      EVENT_STORE: str({
        default: 'sqlite',
        choices: ['sqlite', 'postgres', 'kurrentdb'] as const,
      }),
      EVENTSTORE_CONNECTION_STRING: str({ default: '' }),
      KEY_STORE: str({ default: '', choices: ['', 'sqlite', 'postgres'] as const }),
      POSTGRES_URL: str({ default: '' }),
      POSTGRES_SCHEMA: str({ default: service.replace(/-/g, '_') }),
      READ_MODELS: str({ default: 'embedded', choices: ['embedded', 'mongodb'] as const }),
      PROJECTION_THREAD: str({ default: 'worker', choices: ['worker', 'main'] as const }),
      PROJECTION_BATCH_DELAY_MS: num({ default: 100 }),
      PROJECTION_YOUNG_GENERATION_MB: num({ default: DEFAULT_PROJECTION_YOUNG_GENERATION_MB }),
      BUS: str({ default: 'embedded', choices: ['embedded', 'kafka'] as const }),
      KAFKA_BROKERS: str({ default: '' }),
      KAFKA_TOPIC_PREFIX: str({ default: '' }),
      KAFKA_TOPIC_PARTITIONS: num({ default: 3 }),
      KAFKA_TOPIC_REPLICATION_FACTOR: num({ default: 1 }),
      KAFKA_TOPIC_RETENTION_MS: num({ default: -1 }),
      MONGODB_URL: str({ default: '' }),
      MONGODB_DATABASE: str({ default: '' }),
    },
    {
      reporter: ({ errors }) => {
        const bad = Object.entries(errors).map(([name, error]) => [name, describe(error)]);
        if (bad.length > 0)
          throw new ConfigError(Object.fromEntries(bad) as Record<string, string>);
      },
    },
  );

  if (vars.JWT_SECRET !== '' && Buffer.byteLength(vars.JWT_SECRET) < 32) {
    throw new ConfigError({ JWT_SECRET: 'must be at least 32 bytes for HS256' });
  }
  for (const name of [
    'HTTP_BODY_LIMIT_BYTES',
    'IMPORT_BODY_LIMIT_BYTES',
    'SHUTDOWN_TIMEOUT_MS',
  ] as const) {
    if (!Number.isInteger(vars[name]) || vars[name] <= 0) {
      throw new ConfigError({ [name]: 'must be a positive integer' });
    }
  }
  const batchDelay = vars.PROJECTION_BATCH_DELAY_MS;
  if (!Number.isInteger(batchDelay) || batchDelay < 0 || batchDelay > 1000) {
    throw new ConfigError({ PROJECTION_BATCH_DELAY_MS: 'must be an integer from 0 to 1000' });
  }
  const young = vars.PROJECTION_YOUNG_GENERATION_MB;
  if (!Number.isInteger(young) || young < 16 || young > 4096) {
    throw new ConfigError({ PROJECTION_YOUNG_GENERATION_MB: 'must be an integer from 16 to 4096' });
  }
  const requiredWith = (
    name: 'POSTGRES_URL' | 'MONGODB_URL' | 'EVENTSTORE_CONNECTION_STRING' | 'KAFKA_BROKERS',
    when: string,
  ) => {
    if (vars[name] === '') throw new ConfigError({ [name]: `is required when ${when}` });
    return vars[name];
  };
  // Keys follow the events by default; with KurrentDB they need a database of their own.
  const keyStore =
    vars.KEY_STORE === ''
      ? vars.EVENT_STORE === 'sqlite'
        ? 'sqlite'
        : 'postgres'
      : vars.KEY_STORE;
  const kurrentdb =
    vars.EVENT_STORE === 'kurrentdb'
      ? { connectionString: requiredWith('EVENTSTORE_CONNECTION_STRING', 'EVENT_STORE=kurrentdb') }
      : null;
  const postgres =
    vars.EVENT_STORE === 'postgres' || keyStore === 'postgres'
      ? {
          url: requiredWith(
            'POSTGRES_URL',
            `EVENT_STORE=${vars.EVENT_STORE} and KEY_STORE=${keyStore}`,
          ),
          schema: vars.POSTGRES_SCHEMA,
        }
      : null;
  const mongodb =
    vars.READ_MODELS === 'mongodb'
      ? {
          url: requiredWith('MONGODB_URL', 'READ_MODELS=mongodb'),
          // MONGODB_DATABASE, else the database named in the URL, else one per service.
          database:
            vars.MONGODB_DATABASE ||
            (/^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(vars.MONGODB_URL)?.[1] ??
              `crm_${service.replace(/-/g, '_')}`),
        }
      : null;
  for (const name of ['KAFKA_TOPIC_PARTITIONS', 'KAFKA_TOPIC_REPLICATION_FACTOR'] as const) {
    if (!Number.isInteger(vars[name]) || vars[name] <= 0) {
      throw new ConfigError({ [name]: 'must be a positive integer' });
    }
  }
  const kafka =
    vars.BUS === 'kafka'
      ? {
          brokers: requiredWith('KAFKA_BROKERS', 'BUS=kafka')
            .split(',')
            .map((broker) => broker.trim())
            .filter((broker) => broker !== ''),
          topicPrefix: vars.KAFKA_TOPIC_PREFIX,
          partitions: vars.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: vars.KAFKA_TOPIC_REPLICATION_FACTOR,
          retentionMs: vars.KAFKA_TOPIC_RETENTION_MS,
        }
      : null;
  const dataDir = resolve(vars.DATA_DIR);
  return {
    service,
    host: vars.HOST,
    port: vars.PORT,
    dataDir,
    serviceDataDir: resolve(dataDir, service),
    jwtSecret: vars.JWT_SECRET === '' ? null : vars.JWT_SECRET,
    jwtIssuer: vars.JWT_ISSUER,
    logLevel: vars.LOG_LEVEL,
    bodyLimitBytes: vars.HTTP_BODY_LIMIT_BYTES,
    importBodyLimitBytes: vars.IMPORT_BODY_LIMIT_BYTES,
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
    eventStore: vars.EVENT_STORE,
    keyStore,
    kurrentdb,
    readModels: vars.READ_MODELS,
    projectionThread: vars.PROJECTION_THREAD,
    projectionBatchDelayMs: batchDelay,
    projectionYoungGenerationMb: young,
    kafka,
    postgres,
    mongodb,
  };
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message === '' ? 'is invalid' : `is invalid: ${message}`;
}
