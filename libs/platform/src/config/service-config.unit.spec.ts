import { ConfigError, loadServiceConfig } from './service-config';

const load = (env: NodeJS.ProcessEnv) => loadServiceConfig('contacts', 3001, env);
const problem = (env: NodeJS.ProcessEnv): Record<string, string> => {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.variables;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('service configuration', () => {
  it('given nothing, runs on the embedded defaults', () => {
    expect(load({})).toMatchObject({
      port: 3001,
      host: '127.0.0.1',
      eventStore: 'sqlite',
      keyStore: 'sqlite',
      readModels: 'embedded',
      projectionThread: 'worker',
      projectionBatchDelayMs: 100,
      postgres: null,
      mongodb: null,
      kurrentdb: null,
      jwtSecret: null,
    });
  });

  it('names each invalid variable', () => {
    expect(Object.keys(problem({ PORT: 'abc', LOG_LEVEL: 'loud' })).sort()).toEqual([
      'LOG_LEVEL',
      'PORT',
    ]);
    expect(problem({ JWT_SECRET: 'short' })).toHaveProperty('JWT_SECRET');
    expect(problem({ EVENT_STORE: 'mysql' })).toHaveProperty('EVENT_STORE');
    expect(problem({ HTTP_BODY_LIMIT_BYTES: '0' })).toHaveProperty('HTTP_BODY_LIMIT_BYTES');
    expect(problem({ PROJECTION_THREAD: 'both' })).toHaveProperty('PROJECTION_THREAD');
    for (const delay of ['-1', '2.5', '1001', 'soon']) {
      expect(problem({ PROJECTION_BATCH_DELAY_MS: delay })).toHaveProperty(
        'PROJECTION_BATCH_DELAY_MS',
      );
    }
    for (const size of ['8', '4097', '100.5', 'big']) {
      expect(problem({ PROJECTION_YOUNG_GENERATION_MB: size })).toHaveProperty(
        'PROJECTION_YOUNG_GENERATION_MB',
      );
    }
  });

  it('given no PROJECTION_YOUNG_GENERATION_MB, gives the projection thread 128 MB semispaces; given one, that', () => {
    expect(load({})).toMatchObject({ projectionYoungGenerationMb: 384 });
    expect(load({ PROJECTION_YOUNG_GENERATION_MB: '48' })).toMatchObject({
      projectionYoungGenerationMb: 48,
    });
  });

  it('given PROJECTION_THREAD=main, folds the read models in the HTTP thread', () => {
    expect(load({ PROJECTION_THREAD: 'main' })).toMatchObject({ projectionThread: 'main' });
  });

  it('given PROJECTION_BATCH_DELAY_MS=0, folds every append at once', () => {
    expect(load({ PROJECTION_BATCH_DELAY_MS: '0' })).toMatchObject({ projectionBatchDelayMs: 0 });
  });

  it('given EVENT_STORE=postgres, requires POSTGRES_URL and keeps the keys there', () => {
    expect(problem({ EVENT_STORE: 'postgres' })).toHaveProperty('POSTGRES_URL');
    expect(load({ EVENT_STORE: 'postgres', POSTGRES_URL: 'postgres://db/crm' })).toMatchObject({
      keyStore: 'postgres',
      postgres: { url: 'postgres://db/crm', schema: 'contacts' },
    });
  });

  it('given EVENT_STORE=kurrentdb, requires its connection string and a PostgreSQL for the keys', () => {
    expect(problem({ EVENT_STORE: 'kurrentdb' })).toHaveProperty('EVENTSTORE_CONNECTION_STRING');
    expect(
      problem({
        EVENT_STORE: 'kurrentdb',
        EVENTSTORE_CONNECTION_STRING: 'kurrentdb://k:2113?tls=false',
      }),
    ).toHaveProperty('POSTGRES_URL');
    expect(
      load({
        EVENT_STORE: 'kurrentdb',
        EVENTSTORE_CONNECTION_STRING: 'kurrentdb://k:2113?tls=false',
        POSTGRES_URL: 'postgres://db/crm',
      }),
    ).toMatchObject({
      eventStore: 'kurrentdb',
      keyStore: 'postgres',
      kurrentdb: { connectionString: 'kurrentdb://k:2113?tls=false' },
    });
  });

  it('given READ_MODELS=mongodb, requires MONGODB_URL', () => {
    expect(problem({ READ_MODELS: 'mongodb' })).toHaveProperty('MONGODB_URL');
    expect(load({ READ_MODELS: 'mongodb', MONGODB_URL: 'mongodb://m/' })).toMatchObject({
      mongodb: { url: 'mongodb://m/', database: 'crm_contacts' },
    });
    expect(
      load({ READ_MODELS: 'mongodb', MONGODB_URL: 'mongodb://m:27017/contacts?authSource=admin' })
        .mongodb?.database,
    ).toBe('contacts');
  });

  it('given BUS=kafka, requires KAFKA_BROKERS and reads the topic settings', () => {
    expect(problem({ BUS: 'kafka' })).toHaveProperty('KAFKA_BROKERS');
    expect(
      problem({ BUS: 'kafka', KAFKA_BROKERS: 'k:9092', KAFKA_TOPIC_PARTITIONS: '0' }),
    ).toHaveProperty('KAFKA_TOPIC_PARTITIONS');
    expect(
      load({ BUS: 'kafka', KAFKA_BROKERS: 'k1:9092, k2:9092', KAFKA_TOPIC_REPLICATION_FACTOR: '3' })
        .kafka,
    ).toEqual({
      brokers: ['k1:9092', 'k2:9092'],
      topicPrefix: '',
      partitions: 3,
      replicationFactor: 3,
      retentionMs: -1,
    });
    expect(load({}).kafka).toBeNull();
  });
});
