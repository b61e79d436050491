import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KafkaOptions } from '../kafka-client';

const ROOT = join(__dirname, '../../../..');
const SCRIPT = join(ROOT, 'scripts/engines/kafka.sh');
const brokers = process.env['KAFKA_BROKERS'];

/** Why a suite cannot run here, or null when it can. */
function missing(needsRestart: boolean): string | null {
  if (!brokers) {
    return 'KAFKA_BROKERS is not set. Start a broker with `scripts/engines/kafka.sh start` and `source .engines/kafka.env`.';
  }
  if (!needsRestart) return null;
  // Restarting is only ours to do on the broker kafka.sh manages, never on a shared one.
  const env = join(ROOT, '.engines/kafka.env');
  const managed = existsSync(env) && readFileSync(env, 'utf8').includes(`=${brokers}\n`);
  return managed
    ? null
    : `KAFKA_BROKERS=${brokers} is not the broker scripts/engines/kafka.sh runs.`;
}

/**
 * Runs a suite against the real broker named by KAFKA_BROKERS, or skips it loudly: a
 * silently skipped integration suite reads as a pass. `restarts` marks suites that
 * restart the broker through scripts/engines/kafka.sh.
 */
export function describeWithKafka(
  name: string,
  body: (kafka: KafkaOptions) => void,
  options: { restarts?: boolean } = {},
): void {
  const reason = missing(options.restarts ?? false);
  if (reason || !brokers) {
    // Straight to stderr: jest drops the console output of a suite that is all skipped.
    process.stderr.write(`\nSKIPPED "${name}": ${String(reason)}\n\n`);
    describe.skip(name, () => {
      it(String(reason), () => undefined);
    });
    return;
  }
  describe(name, () => {
    body({ brokers: brokers.split(','), clientId: 'crm-kafka-tests', logLevel: 'warn', log });
  });
}

/**
 * kafkajs warnings and errors as one short line each: jest decorates every console call
 * with a code frame, which buries the test output during a broker restart.
 */
const log: KafkaOptions['log'] = (level, message, extra) => {
  const error = typeof extra['error'] === 'string' ? ` (${extra['error']})` : '';
  process.stderr.write(`kafkajs ${level}: ${message}${error}\n`);
};

/** Topic and group names unique per test, so tests never see each other's messages. */
export function unique(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Stops and starts the broker on the same ports and data, as an operator's restart. */
export async function restartBroker(): Promise<void> {
  await promisify(execFile)('bash', [SCRIPT, 'restart'], { timeout: 240_000 });
}
