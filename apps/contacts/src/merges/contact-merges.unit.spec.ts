import {
  type AppendResult,
  type CommandContext,
  CommandHandler,
  CONTACT_EVENT_CONTRACTS,
  ContractRegistry,
  EventCodec,
  type ExpectedRevision,
  generateDataKey,
  InMemoryEventStore,
  InMemoryReadModelStore,
  InMemorySubjectKeyStore,
  type NewEvent,
} from '@crm/events';
import { contactStreamId } from '../contacts/contact';
import { type ContactCommand, contactDecider } from '../contacts/contact.decider';
import { ContactHistory } from '../contacts/contact-history';
import { DuplicateKeys } from '../contacts/read-models/duplicates/duplicate-keys';
import { DuplicatesQuery } from '../contacts/read-models/duplicates/duplicates.query';
import { ContactMerges } from './contact-merges';
import { MergeConflict } from './merge.errors';

/** An event store where another writer gets in just before a chosen append. */
class RacingEventStore extends InMemoryEventStore {
  private race: { streamId: string; type: string; run: () => Promise<unknown> } | null = null;

  raceBefore(streamId: string, type: string, run: () => Promise<unknown>): void {
    this.race = { streamId, type, run };
  }

  override async append(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const race = this.race;
    if (race?.streamId === streamId && events[0]?.type === race.type) {
      this.race = null;
      await race.run();
    }
    return super.append(streamId, events, expected);
  }
}

const context: CommandContext = { actor: { id: 'alice', team: 'sales' }, correlationId: 'c-1' };
const survivorId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
const firstId = '01a242b7-74cb-754e-8a51-c229a3e10640';
const secondId = '01a242b7-74cb-754e-8a51-c229a3e10641';

describe('merging across streams (ContactMerges)', () => {
  let store: RacingEventStore;
  let commands: CommandHandler;
  let merges: ContactMerges;

  const run = (command: ContactCommand) =>
    commands.handle(contactDecider, contactStreamId(command.contactId), command, context);
  const types = async (contactId: string) =>
    (await store.readStream(contactStreamId(contactId))).map((e) => e.type);
  const merge = () =>
    merges.merge(
      {
        survivorId,
        absorbedIds: [firstId, secondId],
        prefer: 'survivor',
        dryRun: false,
        mayReassignOwner: false,
      },
      context,
    );

  beforeEach(async () => {
    store = new RacingEventStore();
    const contracts = new ContractRegistry(CONTACT_EVENT_CONTRACTS);
    const codec = new EventCodec(contracts, new InMemorySubjectKeyStore(generateDataKey));
    commands = new CommandHandler(store, codec);
    const history = new ContactHistory(store, codec, contracts);
    const duplicates = new DuplicatesQuery(
      new InMemoryReadModelStore(),
      new DuplicateKeys(generateDataKey()),
    );
    merges = new ContactMerges(commands, history, duplicates);
    for (const [contactId, name] of [
      [survivorId, 'Ada Lovelace'],
      [firstId, 'Ada King'],
      [secondId, 'A. Lovelace'],
    ] as const) {
      await run({
        type: 'RegisterContact',
        contactId,
        kind: 'person',
        relationship: 'b2c',
        name,
        primaryEmail: null,
        primaryPhone: null,
        ownerId: 'alice',
      });
    }
  });

  it('given no other writer, marks each absorbed party, then the survivor absorbs them', async () => {
    const { mergeId } = await merge();
    expect(await types(firstId)).toEqual([
      'ContactRegistered',
      'ContactOwnerAssigned',
      'ContactMergedInto',
    ]);
    expect(await types(secondId)).toEqual([
      'ContactRegistered',
      'ContactOwnerAssigned',
      'ContactMergedInto',
    ]);
    const survivorEvents = await store.readStream(contactStreamId(survivorId), 2);
    expect(survivorEvents.map((e) => e.type)).toEqual(['ContactMerged']);
    expect(survivorEvents[0]?.metadata).toMatchObject({
      causationId: mergeId,
      correlationId: 'c-1',
    });
  });

  it('given the survivor changes while the absorbed ones are marked, then 409, the marks are taken back, and the survivor absorbed nothing', async () => {
    store.raceBefore(contactStreamId(survivorId), 'ContactMerged', () =>
      run({ type: 'RenameContact', contactId: survivorId, name: 'Augusta Ada King' }),
    );
    const failure = merge();
    await expect(failure).rejects.toBeInstanceOf(MergeConflict);
    await expect(failure).rejects.toMatchObject({ status: 409 });
    for (const absorbedId of [firstId, secondId]) {
      expect(await types(absorbedId)).toEqual([
        'ContactRegistered',
        'ContactOwnerAssigned',
        'ContactMergedInto',
        'ContactUnmerged',
      ]);
    }
    expect(await types(survivorId)).toEqual([
      'ContactRegistered',
      'ContactOwnerAssigned',
      'ContactRenamed',
    ]);
  });

  it('given the second absorbed party changes first, then 409, the first mark is taken back, the second never made', async () => {
    store.raceBefore(contactStreamId(secondId), 'ContactMergedInto', () =>
      run({ type: 'TagContact', contactId: secondId, tags: ['vip'] }),
    );
    await expect(merge()).rejects.toBeInstanceOf(MergeConflict);
    expect(await types(firstId)).toEqual([
      'ContactRegistered',
      'ContactOwnerAssigned',
      'ContactMergedInto',
      'ContactUnmerged',
    ]);
    expect(await types(secondId)).toEqual([
      'ContactRegistered',
      'ContactOwnerAssigned',
      'ContactTagged',
    ]);
    expect(await types(survivorId)).toEqual(['ContactRegistered', 'ContactOwnerAssigned']);
  });

  it('given the survivor changes during an undo, then 409 and nothing of the undo is stored', async () => {
    const { mergeId } = await merge();
    store.raceBefore(contactStreamId(survivorId), 'ContactMergeUndone', () =>
      run({ type: 'TagContact', contactId: survivorId, tags: ['vip'] }),
    );
    await expect(merges.undo(survivorId, mergeId, context)).rejects.toBeInstanceOf(MergeConflict);
    expect((await types(survivorId)).at(-1)).toBe('ContactTagged');
    expect((await types(firstId)).at(-1)).toBe('ContactMergedInto');
    const { restoredIds } = await merges.undo(survivorId, mergeId, context);
    expect(restoredIds).toEqual([firstId, secondId]);
  });
});
