import { AppendSignal, type RecordedEvent, startCatchUp } from '@crm/events';
import { eventually } from '@crm/events/testing';
import { START } from '@kurrent/kurrentdb-client';
import { FakeAllLog } from '../test/fake-all-log';
import { AllReader } from './all-reader';

/** A log of user events with the server's own records in between, as a real one has. */
function busyLog(users = 12): FakeAllLog {
  const log = new FakeAllLog();
  for (let i = 0; i < users; i += 1) {
    log.write(`thing-${i % 3}`);
    if (i % 4 === 1) log.write(`$$thing-${i}`, '$metadata');
    // A system stream with a plain type passes the server's type filter: dropped client-side.
    if (i % 5 === 2) log.write('$projections-totals-result', 'Result');
  }
  return log;
}

const positions = (events: readonly RecordedEvent[]) => events.map((e) => e.position);

async function readInBatches(reader: AllReader, after: number, batch: number) {
  const all: RecordedEvent[] = [];
  for (;;) {
    const page = await reader.read((all.at(-1)?.position ?? after) + 1, batch);
    all.push(...page);
    if (page.length < batch) return all;
  }
}

describe('reading $all from one of our positions', () => {
  it('given a log with system events, when read from 1 in small batches, then every user event comes once, in order', async () => {
    const log = busyLog();
    const all = await readInBatches(new AllReader(log), 0, 2);
    expect(positions(all)).toEqual(log.userEvents().map((e) => e.position));
  });

  it('given a restarted process (nothing cached), when reading after any delivered position, then exactly the later events come', async () => {
    // Longer than what reading the head remembers, so early checkpoints are true misses.
    const log = busyLog(150);
    const users = log.userEvents();
    for (const [i, checkpoint] of users.entries()) {
      const events = await new AllReader(log).read(checkpoint.position + 1, 200);
      expect(positions(events)).toEqual(users.slice(i + 1).map((e) => e.position));
    }
  });

  it('given a miss, then it starts at the delivered event itself, not at the start of the log', async () => {
    const log = busyLog(150);
    const checkpoint = log.userEvents()[10]!;
    const events = await new AllReader(log).read(checkpoint.position + 1, 3);
    expect(events).toHaveLength(3);
    expect(log.reads[0]).toEqual(checkpoint.exact);
    expect(log.reads).not.toContain(START);
  });

  it('given an exact position, then the event there is included', async () => {
    const log = busyLog();
    const third = log.userEvents()[2]!;
    for (const reader of [new AllReader(log), await warm(log)])
      expect(await reader.read(third.position, 1)).toEqual([third.event]);
  });

  it('given a number between two events, then it reads from the next event (from the start of the log if need be)', async () => {
    const log = busyLog();
    const [, second, third] = log.userEvents();
    const events = await new AllReader(log).read(second!.position + 2, 1);
    expect(events).toEqual([third!.event]);
  });

  it('given a position past the head, then nothing is read and no position past the end is tried', async () => {
    const log = busyLog();
    const reader = new AllReader(log);
    expect(await reader.read(10_000_000, 10)).toEqual([]);
    expect(log.reads).toEqual([]);
  });

  it('given a batch of one followed by system events, then it reads on to the next user event instead of stalling', async () => {
    const log = new FakeAllLog();
    const first = log.write('thing-1');
    for (let i = 0; i < 3; i += 1) log.write('$projections-totals-result', 'Result');
    const next = log.write('thing-1');
    expect(await new AllReader(log).read(first.position + 1, 1)).toEqual([next.event]);
  });

  it('given a warm reader following the log, then each batch costs one read from the exact last position', async () => {
    const log = busyLog();
    const reader = await warm(log);
    const last = log.userEvents().at(-1)!;
    log.reads.length = 0;
    const appended = log.write('thing-9');
    expect(await reader.read(last.position + 1, 10)).toEqual([appended.event]);
    expect(log.reads).toEqual([last.exact]);
  });

  it('given the server is unreachable, then the error reaches the caller, warm or cold', async () => {
    const log = busyLog();
    const warmReader = await warm(log);
    log.failure = new Error('UnavailableError');
    const from = log.userEvents()[3]!.position + 1;
    await expect(warmReader.read(from, 5)).rejects.toThrow('UnavailableError');
    await expect(new AllReader(log).read(from, 5)).rejects.toThrow('UnavailableError');
    await expect(new AllReader(log).read(1, 5)).rejects.toThrow('UnavailableError');
  });

  it('reads from the start of the log for position 1 or below', async () => {
    const log = busyLog(2);
    expect(positions(await new AllReader(log).read(0, 5))).toEqual(
      log.userEvents().map((e) => e.position),
    );
    expect(log.reads).toEqual([START]);
  });
});

describe('the head position', () => {
  it('is the last user event, past trailing system events, and 0 without any', async () => {
    const log = new FakeAllLog();
    expect(await new AllReader(log).head()).toBe(0);
    const last = log.write('thing-1');
    for (let i = 0; i < 70; i += 1) log.write('$projections-totals-result', 'Result');
    log.write('$$thing-1', '$metadata');
    expect(await new AllReader(log).head()).toBe(last.position);
  });
});

describe('a catch-up subscription over the reader', () => {
  it('given a checkpoint, delivers what follows it, then what is appended later', async () => {
    const log = busyLog(6);
    const signal = new AppendSignal(20);
    const reader = new AllReader(log);
    const checkpoint = log.userEvents()[1]!.position;
    const seen: RecordedEvent[] = [];
    const source = { readAll: reader.read.bind(reader), waitForAppend: signal.wait.bind(signal) };
    const subscription = startCatchUp(source, checkpoint, (batch) => {
      seen.push(...batch);
      return Promise.resolve();
    });
    try {
      await eventually(() => expect(seen).toHaveLength(4));
      log.write('$$thing-x', '$metadata');
      log.write('thing-x');
      signal.notify();
      await eventually(() => expect(seen).toHaveLength(5));
      expect(positions(seen)).toEqual(
        log
          .userEvents()
          .slice(2)
          .map((e) => e.position),
      );
    } finally {
      await subscription.stop();
    }
  });
});

async function warm(log: FakeAllLog): Promise<AllReader> {
  const reader = new AllReader(log);
  await readInBatches(reader, 0, 100);
  return reader;
}
