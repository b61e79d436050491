import { ContractRegistry } from '../contracts/event-contract';
import { EventCodec } from '../crypto/event-codec';
import { generateDataKey } from '../crypto/personal-data-cipher';
import { InMemorySubjectKeyStore } from '../crypto/subject-key-store.port';
import { ProblemError, WrongExpectedRevision } from '../store/errors';
import type { DomainEvent, RecordedEvent } from '../store/event';
import { InMemoryEventStore } from '../store/in-memory-event-store';
import { CommandHandler, type CommandContext, PreconditionFailed } from './command-handler';
import type { Decider } from './decider';
import { testContract } from '../testing/test-contract';

// ---- a tiny decider: a thing that is created once and can be renamed ----

type ThingCreated = DomainEvent<'ThingCreated', { thingId: string; name: string }>;
type ThingRenamed = DomainEvent<'ThingRenamed', { name: string }>;
type ThingEvent = ThingCreated | ThingRenamed;

type CreateThing = {
  readonly type: 'CreateThing';
  readonly thingId: string;
  readonly name: string;
};
type RenameThing = { readonly type: 'RenameThing'; readonly name: string };
type ThingCommand = CreateThing | RenameThing;

type Thing = { readonly status: 'absent' } | { readonly status: 'active'; readonly name: string };

class ThingNotFound extends ProblemError {
  readonly status = 404;
  readonly problemType = 'thing-not-found';
  readonly title = 'Thing not found';
}

class ThingAlreadyExists extends ProblemError {
  readonly status = 409;
  readonly problemType = 'thing-already-exists';
  readonly title = 'Thing already exists';
}

const thing: Decider<ThingCommand, ThingEvent, Thing> = {
  initialState: () => ({ status: 'absent' }),
  decide(command, state) {
    switch (command.type) {
      case 'CreateThing':
        if (state.status !== 'absent') throw new ThingAlreadyExists(command.thingId);
        return [{ type: 'ThingCreated', data: { thingId: command.thingId, name: command.name } }];
      case 'RenameThing':
        if (state.status === 'absent') throw new ThingNotFound('no such thing');
        return state.name === command.name
          ? []
          : [{ type: 'ThingRenamed', data: { name: command.name } }];
      default: {
        const exhaustive: never = command;
        return exhaustive;
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'ThingCreated':
        return { status: 'active', name: event.data.name };
      case 'ThingRenamed':
        return { status: 'active', name: event.data.name };
      default: {
        const exhaustive: never = event;
        return exhaustive;
      }
    }
  },
};

// ---- a store where another writer wins the race between our read and our append ----

class RacingEventStore extends InMemoryEventStore {
  private readonly competitors: (() => Promise<unknown>)[] = [];
  private competing = false;

  /** After each of the next reads of a stream, the next competitor writes to the store. */
  raceNextReads(...competitors: (() => Promise<unknown>)[]): void {
    this.competitors.push(...competitors);
  }

  override async readStream(streamId: string, fromRevision?: number): Promise<RecordedEvent[]> {
    const events = await super.readStream(streamId, fromRevision);
    // The competitor's own reads do not start another race.
    const competitor = this.competing ? undefined : this.competitors.shift();
    if (competitor) {
      this.competing = true;
      try {
        await competitor();
      } finally {
        this.competing = false;
      }
    }
    return events;
  }
}

const now = new Date('2026-03-01T10:00:00.000Z');
const context: CommandContext = {
  actor: { id: 'employee-7', team: 'sales-emea' },
  correlationId: 'correlation-42',
};
const create = (name = 'Anvil'): CreateThing => ({ type: 'CreateThing', thingId: 'thing-1', name });
const rename = (name: string): RenameThing => ({ type: 'RenameThing', name });

describe('command handler', () => {
  let store: RacingEventStore;
  let codec: EventCodec;
  let handler: CommandHandler;
  /** Another process writing to the same store. */
  let otherWriter: CommandHandler;

  beforeEach(() => {
    store = new RacingEventStore();
    codec = new EventCodec(
      new ContractRegistry([testContract('ThingCreated'), testContract('ThingRenamed')]),
      new InMemorySubjectKeyStore(generateDataKey),
    );
    handler = new CommandHandler(store, codec, () => now);
    otherWriter = new CommandHandler(store, codec, () => now);
  });

  const names = async (): Promise<unknown[]> =>
    (await codec.decode<ThingEvent>(await store.readStream('thing-1'))).map((e) => e.data.name);

  describe('appending', () => {
    it('given no stream, when a command decides an event, then it is stored as revision 0', async () => {
      const result = await handler.handle(thing, 'thing-1', create(), context);

      expect(result).toEqual({
        state: { status: 'active', name: 'Anvil' },
        revision: 0,
        events: [{ type: 'ThingCreated', data: { thingId: 'thing-1', name: 'Anvil' } }],
      });
      const stored = await store.readStream('thing-1');
      expect(stored.map((e) => [e.revision, e.type])).toEqual([[0, 'ThingCreated']]);
    });

    it('given a stream, when a command decides an event, then it is folded from the stored (encoded) history and appended', async () => {
      await handler.handle(thing, 'thing-1', create(), context);

      const result = await handler.handle(thing, 'thing-1', rename('Hammer'), context);

      expect(result.revision).toBe(1);
      expect(result.state).toEqual({ status: 'active', name: 'Hammer' });
      expect(await names()).toEqual(['Anvil', 'Hammer']);
    });

    it('given commands in a row, then their events get time-ordered ids (UUIDv7), in append order', async () => {
      await handler.handle(thing, 'thing-1', create(), context);
      await handler.handle(thing, 'thing-1', rename('Hammer'), context);
      await handler.handle(thing, 'thing-1', rename('Tongs'), context);

      const ids = (await store.readStream('thing-1')).map((e) => e.id);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
      expect([...ids].sort()).toEqual(ids);
    });

    it('given a stored event, then its data went through the codec (personal fields sealed)', async () => {
      await handler.handle(thing, 'thing-1', create('Zoë'), context);

      const [stored] = await store.readStream('thing-1');
      expect(JSON.stringify(stored?.data)).not.toContain('Zoë');
    });

    it('given a context without business time, then the metadata records actor, correlation and happenedAt = recordedAt = now', async () => {
      await handler.handle(thing, 'thing-1', create(), context);

      const [stored] = await store.readStream('thing-1');
      expect(stored?.metadata).toEqual({
        happenedAt: now.toISOString(),
        recordedAt: now.toISOString(),
        correlationId: 'correlation-42',
        causationId: null,
        actorId: 'employee-7',
        actorTeam: 'sales-emea',
      });
    });

    it('given a context with business time and a cause, then both are recorded next to the server time', async () => {
      await handler.handle(thing, 'thing-1', create(), {
        actor: { id: 'employee-8', team: null },
        correlationId: 'correlation-43',
        causationId: 'event-99',
        happenedAt: '2026-02-27T16:30:00.000Z',
      });

      const [stored] = await store.readStream('thing-1');
      expect(stored?.metadata).toEqual({
        happenedAt: '2026-02-27T16:30:00.000Z',
        recordedAt: now.toISOString(),
        correlationId: 'correlation-43',
        causationId: 'event-99',
        actorId: 'employee-8',
        actorTeam: null,
      });
    });

    it('given the decider decides nothing, then nothing is appended and the current revision is returned', async () => {
      await handler.handle(thing, 'thing-1', create(), context);
      const head = await store.headPosition();

      const result = await handler.handle(thing, 'thing-1', rename('Anvil'), context);

      expect(result).toEqual({
        state: { status: 'active', name: 'Anvil' },
        revision: 0,
        events: [],
      });
      expect(await store.headPosition()).toBe(head);
    });
  });

  describe('a new stream (newStream)', () => {
    it('given an id just generated, when a command creates it, then it is decided without reading the store and stored as revision 0', async () => {
      const reads = jest.spyOn(store, 'readStream');

      const result = await handler.handle(thing, 'thing-1', create(), context, {
        newStream: true,
      });

      expect(reads).not.toHaveBeenCalled();
      expect(result.revision).toBe(0);
      expect(result.state).toEqual({ status: 'active', name: 'Anvil' });
      expect(await names()).toEqual(['Anvil']);
    });

    it('given the stream exists after all, when a command claims it is new, then the append is refused and the stream is unchanged', async () => {
      await otherWriter.handle(thing, 'thing-1', create('Anvil'), context);

      await expect(
        handler.handle(thing, 'thing-1', create('Hammer'), context, { newStream: true }),
      ).rejects.toBeInstanceOf(WrongExpectedRevision);
      expect(await names()).toEqual(['Anvil']);
    });
  });

  describe('domain errors', () => {
    it('given no stream, when the decider rejects the command, then its typed error propagates and nothing is stored', async () => {
      const rejected = handler.handle(thing, 'thing-1', rename('Hammer'), context);

      await expect(rejected).rejects.toThrow(ThingNotFound);
      await expect(rejected).rejects.toMatchObject({ status: 404, problemType: 'thing-not-found' });
      expect(await store.headPosition()).toBe(0);
    });

    it('given a stream, when the decider rejects the command, then nothing is added to it', async () => {
      await handler.handle(thing, 'thing-1', create(), context);

      await expect(handler.handle(thing, 'thing-1', create('Again'), context)).rejects.toThrow(
        ThingAlreadyExists,
      );
      expect(await names()).toEqual(['Anvil']);
    });
  });

  describe('If-Match (expectedRevision)', () => {
    it('given the expected revision is current, then the command is applied', async () => {
      await handler.handle(thing, 'thing-1', create(), context);

      const result = await handler.handle(thing, 'thing-1', rename('Hammer'), context, {
        expectedRevision: 0,
      });

      expect(result.revision).toBe(1);
    });

    it('given the expected revision is stale, then it fails with 412 and appends nothing', async () => {
      await handler.handle(thing, 'thing-1', create(), context);
      await handler.handle(thing, 'thing-1', rename('Hammer'), context);

      const rejected = handler.handle(thing, 'thing-1', rename('Tongs'), context, {
        expectedRevision: 0,
      });

      await expect(rejected).rejects.toThrow(PreconditionFailed);
      await expect(rejected).rejects.toMatchObject({
        status: 412,
        extensions: { expectedRevision: 0, actualRevision: 1 },
      });
      expect(await names()).toEqual(['Anvil', 'Hammer']);
    });
  });

  describe('concurrent writers', () => {
    const competingRename = (name: string) => () =>
      otherWriter.handle(thing, 'thing-1', rename(name), context);

    it('given another writer creates the stream between our read and append, then creating fails with a conflict', async () => {
      store.raceNextReads(() => otherWriter.handle(thing, 'thing-1', create('Theirs'), context));

      await expect(handler.handle(thing, 'thing-1', create('Ours'), context)).rejects.toThrow(
        WrongExpectedRevision,
      );
      expect(await names()).toEqual(['Theirs']);
    });

    it('given another writer appends between our read and append, when the command did not opt in to retries, then it fails with a conflict and appends nothing', async () => {
      await handler.handle(thing, 'thing-1', create(), context);
      store.raceNextReads(competingRename('Theirs'));

      await expect(handler.handle(thing, 'thing-1', rename('Ours'), context)).rejects.toThrow(
        WrongExpectedRevision,
      );
      expect(await names()).toEqual(['Anvil', 'Theirs']);
    });

    it('given another writer appends between our read and append, when the command allows one retry, then it re-reads and succeeds', async () => {
      await handler.handle(thing, 'thing-1', create(), context);
      store.raceNextReads(competingRename('Theirs'));

      const result = await handler.handle(thing, 'thing-1', rename('Ours'), context, {
        retriesOnConflict: 1,
      });

      expect(result.revision).toBe(2);
      expect(result.state).toEqual({ status: 'active', name: 'Ours' });
      expect(await names()).toEqual(['Anvil', 'Theirs', 'Ours']);
    });

    it('given the retry, then the command is decided again on the fresh state', async () => {
      await handler.handle(thing, 'thing-1', create(), context);
      store.raceNextReads(competingRename('Same'));

      const result = await handler.handle(thing, 'thing-1', rename('Same'), context, {
        retriesOnConflict: 1,
      });

      expect(result).toEqual({
        state: { status: 'active', name: 'Same' },
        revision: 1,
        events: [],
      });
      expect(await names()).toEqual(['Anvil', 'Same']);
    });

    it('given the decider decides nothing, then another writer appending meanwhile is no conflict', async () => {
      await handler.handle(thing, 'thing-1', create(), context);
      store.raceNextReads(competingRename('Theirs'));

      const result = await handler.handle(thing, 'thing-1', rename('Anvil'), context);

      expect(result.events).toEqual([]);
      expect(await names()).toEqual(['Anvil', 'Theirs']);
    });

    it('given the writer loses more races than it may retry, then it fails with a conflict', async () => {
      await handler.handle(thing, 'thing-1', create(), context);
      store.raceNextReads(competingRename('First'), competingRename('Second'));

      await expect(
        handler.handle(thing, 'thing-1', rename('Ours'), context, { retriesOnConflict: 1 }),
      ).rejects.toThrow(WrongExpectedRevision);
      expect(await names()).toEqual(['Anvil', 'First', 'Second']);
    });

    it('given the client sent If-Match, then a lost race is never retried, even when retries are allowed', async () => {
      await handler.handle(thing, 'thing-1', create(), context);
      store.raceNextReads(competingRename('Theirs'));

      await expect(
        handler.handle(thing, 'thing-1', rename('Ours'), context, {
          expectedRevision: 0,
          retriesOnConflict: 1,
        }),
      ).rejects.toThrow(WrongExpectedRevision);
      expect(await names()).toEqual(['Anvil', 'Theirs']);
    });
  });
});
