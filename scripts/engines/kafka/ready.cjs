// Readiness probe for kafka.sh: a port that accepts connections is not yet a broker that
// serves metadata, so wait until a real client can list topics (bounded).
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const [brokers, timeoutArg] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutArg ?? 30000);

async function probe() {
  const admin = new Kafka({
    clientId: 'kafka-sh-ready',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function main() {
  for (;;) {
    try {
      await probe();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        console.error(`kafka at ${brokers} not ready: ${String(error)}`);
        process.exit(1);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

void main();
