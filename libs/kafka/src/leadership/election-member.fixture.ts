// One member of a leader election in a process of its own, for the tests that freeze
// (SIGSTOP) or kill a leader, which no in-process member can imitate. Prints one JSON line
// per leadership change; leaves the group on SIGTERM. Run with tsx.
import { LeaderElection } from './leader-election';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const print = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...line, at: Date.now() })}\n`);
};

const election = new LeaderElection(
  {
    brokers: required('KAFKA_BROKERS').split(','),
    clientId: 'crm-election-test',
    logLevel: 'error',
  },
  {
    groupId: required('GROUP'),
    topic: required('TOPIC'),
    sessionTimeoutMs: Number(required('SESSION_TIMEOUT_MS')),
    onElected: () => Promise.resolve(),
    onDemoted: () => Promise.resolve(),
    onChange: (leading, reason) => print({ leading, reason }),
    onError: (error) => print({ error: error instanceof Error ? error.message : String(error) }),
  },
);

election.start().then(
  () => print({ joined: true }),
  (error: unknown) => {
    print({ error: String(error) });
    process.exit(1);
  },
);
process.once('SIGTERM', () => {
  void election.stop().then(() => process.exit(0));
});
