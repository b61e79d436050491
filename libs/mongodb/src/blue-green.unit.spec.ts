import { InMemoryEventStore, InMemoryReadModelStore } from '@crm/events';
import { TEST_METADATA } from '@crm/events/testing';
import { randomUUID } from 'node:crypto';
import { rebuildNextTo, retire } from './blue-green';

/** A candidate runner whose catch-up is scripted: it reaches `reaches` and no further. */
function candidate(reaches: number) {
  let started = false;
  let stopped = false;
  return {
    key: 'counters_v2',
    get started() {
      return started;
    },
    get stopped() {
      return stopped;
    },
    start: () => {
      started = true;
      return Promise.resolve();
    },
    stop: () => {
      stopped = true;
      return Promise.resolve();
    },
    waitFor: (position: number) => Promise.resolve(position <= reaches),
  };
}

describe('blue/green helpers', () => {
  const events = new InMemoryEventStore();

  beforeAll(async () => {
    const event = () => ({
      id: randomUUID(),
      type: 'CounterIncremented',
      data: {},
      metadata: TEST_METADATA,
    });
    await events.append('counter-a', [event(), event()], 'any');
  });

  it('given a candidate that reaches the head, then rebuildNextTo starts it and resolves', async () => {
    const v2 = candidate(2);

    await rebuildNextTo(v2, events);

    expect(v2.started).toBe(true);
  });

  it('given a candidate that does not reach the head in time, then rebuildNextTo rejects and says where it had to get', async () => {
    await expect(rebuildNextTo(candidate(1), events, 50)).rejects.toThrow(
      'counters_v2 did not catch up to position 2 in 50 ms',
    );
  });

  it('given a retired version, then its runner is stopped and its documents and checkpoint are gone', async () => {
    const readModels = new InMemoryReadModelStore();
    await readModels.ensure({ key: 'counters_v2', indexes: [] });
    await readModels.commit(
      'counters_v2',
      [{ id: 'counter-a', doc: { count: 2 }, position: 2 }],
      2,
    );
    const v2 = candidate(2);

    await retire(v2, readModels);

    expect(v2.stopped).toBe(true);
    expect(await readModels.checkpoint('counters_v2')).toBe(0);
    expect(await readModels.load('counters_v2', ['counter-a'])).toEqual(new Map());
  });
});
