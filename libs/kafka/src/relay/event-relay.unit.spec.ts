import { InMemoryEventStore } from '@crm/events';
import { eventually } from '@crm/events/testing';
import { fromBinaryMessage } from '../cloud-event-binary';
import { appendContacts, describeByContract, InMemoryBus } from '../testing';
import { EventRelay, type EventRelayOptions } from './event-relay';
import { InMemoryRelayCheckpointStore } from './relay-checkpoint-store';

const TOPIC = 'crm.contacts.contact.v1';

describe('event relay', () => {
  let store: InMemoryEventStore;
  let bus: InMemoryBus;
  let checkpoints: InMemoryRelayCheckpointStore;
  const relays: EventRelay[] = [];

  const relay = (options: { describe?: EventRelayOptions['describe'] } = {}) => {
    const created = new EventRelay(store, bus, checkpoints, {
      name: 'contacts',
      topicFor: () => TOPIC,
      describe: options.describe ?? describeByContract,
      maxRetryDelayMs: 20,
    });
    relays.push(created);
    return created;
  };

  beforeEach(() => {
    store = new InMemoryEventStore();
    bus = new InMemoryBus();
    checkpoints = new InMemoryRelayCheckpointStore();
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });

  it('given stored events, then it publishes each to its topic keyed by stream id, in store order, and checkpoints the last position', async () => {
    const streams = await appendContacts(store, 3, 2);
    await relay().start();

    await eventually(async () => expect(await checkpoints.load('contacts')).toBe(6));
    const stored = await store.readAll(1, 10);
    expect(bus.accepted.map((m) => [m.topic, m.key])).toEqual(
      stored.map((e) => [TOPIC, e.streamId]),
    );
    const first = bus.accepted[0]!;
    expect(fromBinaryMessage(first.headers, Buffer.from(first.value))).toMatchObject({
      id: stored[0]!.id,
      subject: streams[0],
      streamrevision: 0,
      type: 'crm.contacts.contact-registered.v1',
    });
  });

  it('given the bus refuses a batch, then the checkpoint stays put and the batch is published again once the bus accepts', async () => {
    await appendContacts(store, 2, 1);
    bus.failure = new Error('broker unavailable');
    const errors: unknown[] = [];
    const running = new EventRelay(store, bus, checkpoints, {
      name: 'contacts',
      topicFor: () => TOPIC,
      describe: describeByContract,
      maxRetryDelayMs: 20,
      onError: (error) => errors.push(error),
    });
    relays.push(running);
    await running.start();

    await eventually(() => expect(bus.publishes).toBeGreaterThanOrEqual(2));
    expect(await checkpoints.load('contacts')).toBe(0);
    expect(errors[0]).toEqual(new Error('broker unavailable'));

    bus.failure = null;
    await eventually(async () => expect(await checkpoints.load('contacts')).toBe(2));
    expect(bus.accepted.map((m) => m.key)).toHaveLength(2);
  });

  it('given a relay restarted from its checkpoint, then it publishes nothing acknowledged before, only what came after', async () => {
    await appendContacts(store, 2, 2);
    const first = relay();
    await first.start();
    await eventually(() => expect(first.position).toBe(4));
    await first.stop();

    await appendContacts(store, 1, 1);
    await relay().start();

    await eventually(async () => expect(await checkpoints.load('contacts')).toBe(5));
    const ids = bus.accepted.map((m) => m.headers['ce_id']);
    expect(new Set(ids).size).toBe(5);
    expect(ids).toHaveLength(5);
  });

  it('given the relay of another replica advanced the shared checkpoint while this one was stopped, then this one resumes from the shared checkpoint', async () => {
    await appendContacts(store, 2, 1);
    const mine = relay();
    await mine.start();
    await eventually(() => expect(mine.position).toBe(2));
    await mine.stop();
    await appendContacts(store, 2, 1);
    const theirs = relay();
    await theirs.start();
    await eventually(() => expect(theirs.position).toBe(4));
    await theirs.stop();

    await appendContacts(store, 1, 1);
    await mine.start();

    await eventually(() => expect(mine.position).toBe(5));
    const ids = bus.accepted.map((m) => m.headers['ce_id']);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
  });

  it('given a stop while the checkpoint is still loading, then the relay publishes nothing', async () => {
    await appendContacts(store, 2, 1);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = new InMemoryRelayCheckpointStore();
    const load = slow.load.bind(slow);
    slow.load = async (name) => {
      await gate;
      return load(name);
    };
    const stopped = new EventRelay(store, bus, slow, {
      name: 'contacts',
      topicFor: () => TOPIC,
      describe: describeByContract,
    });
    relays.push(stopped);

    const starting = stopped.start();
    await stopped.stop();
    release();
    await starting;

    // A control on the same bus: by the time it has published everything, a relay that
    // subscribed despite the stop would have published it too.
    await appendContacts(store, 1, 1);
    await relay().start();
    await eventually(async () => expect(await checkpoints.load('contacts')).toBe(3));
    expect(bus.accepted).toHaveLength(3);
    expect(await slow.load('contacts')).toBe(0);
  });

  it('given events the describe function leaves out, then they are not published but the checkpoint passes them', async () => {
    await appendContacts(store, 1, 3);
    await relay({
      describe: (event) => (event.revision === 1 ? null : describeByContract(event)),
    }).start();

    await eventually(async () => expect(await checkpoints.load('contacts')).toBe(3));
    expect(bus.accepted.map((m) => m.headers['ce_streamrevision'])).toEqual(['0', '2']);
  });
});
