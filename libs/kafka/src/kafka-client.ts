import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel as KafkaJsLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { SocketTracker } from './kafka-sockets';

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** Connection settings shared by the publisher, the consumers and the topic helper. */
export interface KafkaOptions {
  /** `host:port` of one or more brokers. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Defaults to `warn`: kafkajs is chatty at INFO (every join, every reconnect). */
  readonly logLevel?: KafkaLogLevel;
  /** Receives kafkajs' log entries at or above `logLevel`; defaults to the console. */
  readonly log?: (level: KafkaLogLevel, message: string, extra: Record<string, unknown>) => void;
  /** Time budget for connecting, per attempt. */
  readonly connectionTimeoutMs?: number;
  /** TLS to the brokers (true: system CAs). Not exercised by the tests here. */
  readonly ssl?: boolean | ConnectionOptions;
  /** SASL credentials, for managed clusters. Not exercised by the tests here. */
  readonly sasl?: KafkaSasl;
}

type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export type KafkaSasl = {
  [M in SaslMechanism]: {
    readonly mechanism: M;
    readonly username: string;
    readonly password: string;
  };
}[SaslMechanism];

const KAFKAJS_LEVELS: Record<KafkaLogLevel, KafkaJsLevel> = {
  nothing: KafkaJsLevel.NOTHING,
  error: KafkaJsLevel.ERROR,
  warn: KafkaJsLevel.WARN,
  info: KafkaJsLevel.INFO,
  debug: KafkaJsLevel.DEBUG,
};

function levelName(level: KafkaJsLevel): KafkaLogLevel {
  switch (level) {
    case KafkaJsLevel.ERROR:
      return 'error';
    case KafkaJsLevel.WARN:
      return 'warn';
    case KafkaJsLevel.INFO:
      return 'info';
    case KafkaJsLevel.DEBUG:
      return 'debug';
    default:
      return 'nothing';
  }
}

const consoleLog: NonNullable<KafkaOptions['log']> = (level, message, extra) => {
  const line = JSON.stringify({ level, logger: 'kafkajs', message, ...extra });
  if (level === 'error') console.error(line);
  else console.warn(line);
};

/**
 * Warnings about choices made here on purpose. The idempotent producer retries a bounded
 * number of times so that a long outage surfaces as a failed publish (the relay reports
 * it and publishes again); the duplicates that may cause are dropped by the consumers.
 */
const DELIBERATE = new Set([
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
]);

/**
 * The one place a kafkajs client is built. Retries are generous on purpose: a broker
 * restart takes several seconds and clients should ride it out rather than fail the
 * relay or crash a consumer.
 */
export function createKafka(options: KafkaOptions, sockets?: SocketTracker): Kafka {
  const log = options.log ?? consoleLog;
  const threshold = KAFKAJS_LEVELS[options.logLevel ?? 'warn'];
  const creator: logCreator =
    () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, ...extra } = entry;
      if (DELIBERATE.has(message)) return;
      // kafkajs logs every error response at ERROR, also those it retries (a rebalance,
      // a coordinator loading); the caller sees a real failure as a thrown error anyway.
      const effective =
        namespace === 'Connection' && message.startsWith('Response ') ? KafkaJsLevel.DEBUG : level;
      if (effective > threshold) return;
      log(levelName(effective), message, extra);
    };
  return new Kafka({
    brokers: [...options.brokers],
    clientId: options.clientId,
    logLevel: KAFKAJS_LEVELS[options.logLevel ?? 'warn'],
    logCreator: creator,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    ...(options.sasl ? { sasl: { ...options.sasl } } : {}),
    ...(sockets ? { socketFactory: sockets.factory } : {}),
    retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 10 },
  });
}
