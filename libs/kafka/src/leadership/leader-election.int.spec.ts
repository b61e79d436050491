import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '@crm/events/testing';
import type { KafkaOptions } from '../kafka-client';
import { describeWithKafka, Running, unique } from '../testing';
import { ensureTopics } from '../topics';
import { LeaderElection } from './leader-election';

jest.setTimeout(150_000);

const ROOT = join(__dirname, '../../../..');
/** The broker's group.min.session.timeout.ms: the shortest take-over bound it allows. */
const SESSION_TIMEOUT_MS = 6_000;

interface Change {
  readonly member: string;
  readonly leading: boolean;
  readonly reason: string;
  readonly at: number;
}

describeWithKafka('leader election on a Kafka consumer group', (kafka: KafkaOptions) => {
  const running = new Running();
  const children: ChildProcess[] = [];
  let group: string;
  let topic: string;
  let changes: Change[];

  beforeEach(async () => {
    group = unique('test.relay-leadership');
    topic = unique('test.crm.contacts.relay-leadership');
    changes = [];
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  });
  afterEach(async () => {
    await running.stopAll();
    for (const child of children.splice(0)) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  });

  const leaders = () => {
    const current = new Map<string, boolean>();
    for (const change of changes) current.set(change.member, change.leading);
    return [...current].filter(([, leading]) => leading).map(([member]) => member);
  };

  /** A member in this process; its work is a flag, so overlapping leaders would show. */
  async function member(name: string): Promise<LeaderElection> {
    const election = running.add(
      new LeaderElection(kafka, {
        groupId: group,
        topic,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        onElected: () => Promise.resolve(),
        onDemoted: () => Promise.resolve(),
        onChange: (leading, reason) =>
          changes.push({ member: name, leading, reason, at: Date.now() }),
      }),
    );
    await election.start();
    return election;
  }

  /** A member in its own process (election-member.fixture.ts), so that it can be frozen. */
  function memberProcess(name: string): ChildProcess {
    // Node itself with tsx as a loader (not the tsx CLI, which runs Node as its own child,
    // so a signal to it would not reach the member).
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'election-member.fixture.ts')],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          KAFKA_BROKERS: kafka.brokers.join(','),
          GROUP: group,
          TOPIC: topic,
          SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const parsed = JSON.parse(line) as Partial<Change>;
        if (typeof parsed.leading === 'boolean') {
          changes.push({
            member: name,
            leading: parsed.leading,
            reason: String(parsed.reason),
            at: Number(parsed.at),
          });
        }
      }
    });
    return child;
  }

  it('given members joining one after another, then exactly one leads and joins never move the leadership', async () => {
    const first = await member('first');
    await eventually(() => expect(first.isLeader).toBe(true), 30_000);

    const second = await member('second');
    const third = await member('third');

    // Each join rebalanced the group: the first stepped down and was given the partition back.
    await eventually(() => expect(leaders()).toEqual(['first']), 30_000);
    expect([first.isLeader, second.isLeader, third.isLeader]).toEqual([true, false, false]);
    expect(changes.filter((c) => c.leading).map((c) => c.member)).toEqual(
      changes.filter((c) => c.leading).map(() => 'first'),
    );
  });

  it('given the leader leaves, then another member leads at once, only after the leader stepped down', async () => {
    const first = await member('first');
    await eventually(() => expect(first.isLeader).toBe(true), 30_000);
    const second = await member('second');
    await eventually(() => expect(leaders()).toEqual(['first']), 30_000);

    const left = Date.now();
    await first.stop();

    await eventually(() => expect(second.isLeader).toBe(true), 30_000);
    const stepDown = changes.find(
      (c) => c.member === 'first' && !c.leading && c.reason === 'shutdown',
    );
    const takeOver = changes.find((c) => c.member === 'second' && c.leading);
    expect(stepDown!.at).toBeLessThanOrEqual(takeOver!.at);
    // Leaving hands over without waiting for the session timeout.
    expect(takeOver!.at - left).toBeLessThan(SESSION_TIMEOUT_MS);
  });

  it('given the leader freezes, then another takes over after the session timeout, and the old one steps down on waking instead of leading again', async () => {
    const frozen = memberProcess('frozen');
    await eventually(() => expect(leaders()).toEqual(['frozen']), 60_000);
    const survivor = memberProcess('survivor');
    // The survivor's join rebalances the group; the leadership stays where it was.
    await eventually(
      () => expect(changes.filter((c) => c.member === 'frozen')).toHaveLength(3),
      60_000,
    );
    expect(leaders()).toEqual(['frozen']);

    frozen.kill('SIGSTOP');
    const stopped = Date.now();
    await eventually(() => expect(leaders()).toContain('survivor'), 60_000);
    const takeOver = changes.find((c) => c.member === 'survivor' && c.leading)!;
    expect(takeOver.at - stopped).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS - 1_000);

    frozen.kill('SIGCONT');
    await eventually(() => expect(leaders()).toEqual(['survivor']), 30_000);
    const wake = changes.filter((c) => c.member === 'frozen').at(-1)!;
    expect(wake).toMatchObject({ leading: false, reason: expect.stringMatching(/no heartbeat/) });

    // Awake again, it is an ordinary member: it takes over when the survivor leaves.
    survivor.kill('SIGTERM');
    await eventually(() => expect(leaders()).toEqual(['frozen']), 60_000);
    const handOver = changes.filter((c) => c.member === 'survivor').at(-1)!;
    expect(handOver).toMatchObject({ leading: false, reason: 'shutdown' });
    expect(handOver.at).toBeLessThanOrEqual(changes.at(-1)!.at);
  });
});
