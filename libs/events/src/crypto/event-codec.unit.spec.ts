import { ContractRegistry, type EventContract } from '../contracts/event-contract';
import type { DomainEvent, RecordedEvent } from '../store/event';
import { EventCodec, SEALED_FIELD, SubjectErasedError } from './event-codec';
import { generateDataKey } from './personal-data-cipher';
import { InMemorySubjectKeyStore } from './subject-key-store.port';
import { TEST_METADATA } from '../testing/test-metadata';

type ContactRegistered = DomainEvent<
  'ContactRegistered',
  { contactId: string; name: string; email: string; team: string; score: number }
>;
type ContactArchived = DomainEvent<'ContactArchived', { contactId: string; reason: string }>;

const contract = (type: string, personalFields: readonly string[]): EventContract => ({
  type,
  ceType: `crm.test.${type.toLowerCase()}.v1`,
  source: '/crm/test',
  schema: { type: 'object' },
  personalFields,
});

const registered = (contactId: string): ContactRegistered => ({
  type: 'ContactRegistered',
  data: { contactId, name: 'Zoë Ωmega', email: 'zoe@example.com', team: 'sales', score: 7 },
});

const archived = (contactId: string): ContactArchived => ({
  type: 'ContactArchived',
  data: { contactId, reason: 'duplicate' },
});

let position = 0;
/** What the store would hand back after appending the encoded data. */
function recorded(streamId: string, type: string, data: unknown): RecordedEvent {
  position += 1;
  return {
    id: `event-${position}`,
    streamId,
    revision: 0,
    position,
    type,
    data,
    metadata: TEST_METADATA,
  };
}

describe('event codec', () => {
  let keys: InMemorySubjectKeyStore;
  let codec: EventCodec;

  beforeEach(() => {
    keys = new InMemorySubjectKeyStore(generateDataKey);
    codec = new EventCodec(
      new ContractRegistry([
        contract('ContactRegistered', ['name', 'email']),
        contract('ContactArchived', []),
      ]),
      keys,
    );
  });

  const encodeAndRecord = async (streamId: string, event: DomainEvent): Promise<RecordedEvent> =>
    recorded(streamId, event.type, await codec.encodeData(streamId, event));

  describe('encoding', () => {
    it('given an event with personal fields, when encoded, then no personal value is stored in clear', async () => {
      const stored = await codec.encodeData('contact-1', registered('contact-1'));

      const json = JSON.stringify(stored);
      expect(json).not.toContain('Zoë');
      expect(json).not.toContain('Ωmega');
      expect(json).not.toContain('zoe@example.com');
      expect(stored).not.toHaveProperty('name');
      expect(stored).not.toHaveProperty('email');
    });

    it('given an event with personal fields, when encoded, then the non-personal fields stay readable', async () => {
      const stored = await codec.encodeData('contact-1', registered('contact-1'));

      expect(stored).toEqual({
        contactId: 'contact-1',
        team: 'sales',
        score: 7,
        [SEALED_FIELD]: expect.stringMatching(/^v1\./),
      });
    });

    it('given an event of a type without personal fields, when encoded, then its data is stored unchanged', async () => {
      const event = archived('contact-1');

      expect(await codec.encodeData('contact-1', event)).toEqual(event.data);
    });

    it('given a destroyed subject key, when encoding personal data for it, then it refuses with SubjectErasedError', async () => {
      await keys.destroy('contact-1');

      await expect(codec.encodeData('contact-1', registered('contact-1'))).rejects.toThrow(
        SubjectErasedError,
      );
      await expect(codec.encodeData('contact-2', registered('contact-2'))).resolves.toBeDefined();
    });

    it('given an event type without a contract, when encoded, then it throws', async () => {
      await expect(
        codec.encodeData('contact-1', { type: 'ContactTeleported', data: {} }),
      ).rejects.toThrow(/no contract registered for event type ContactTeleported/);
    });
  });

  describe('decoding', () => {
    it('given an encoded event, when decoded, then the original data comes back, not erased', async () => {
      const event = registered('contact-1');
      const stored = await encodeAndRecord('contact-1', event);

      const [decoded] = await codec.decode<ContactRegistered>([stored]);

      expect(decoded).toMatchObject({
        type: 'ContactRegistered',
        streamId: 'contact-1',
        erased: false,
      });
      expect(decoded?.data).toEqual(event.data);
      expect(decoded?.metadata).toEqual(stored.metadata);
    });

    it('given an encoded event, when decoded by another codec sharing the key store, then the data comes back', async () => {
      const event = registered('contact-1');
      const stored = await encodeAndRecord('contact-1', event);
      const otherProcess = new EventCodec(
        new ContractRegistry([contract('ContactRegistered', ['name', 'email'])]),
        keys,
      );

      const [decoded] = await otherProcess.decode<ContactRegistered>([stored]);

      expect(decoded?.data).toEqual(event.data);
    });

    it('given an event of a type without personal fields, when decoded, then it passes through unchanged', async () => {
      const event = archived('contact-1');
      const stored = await encodeAndRecord('contact-1', event);

      const [decoded] = await codec.decode<ContactArchived>([stored]);

      expect(decoded).toEqual({ ...stored, erased: false });
    });

    it("given personal data copied into another subject's stream, when decoded, then it does not open", async () => {
      const stolen = await codec.encodeData('contact-1', registered('contact-1'));
      await codec.encodeData('contact-2', registered('contact-2'));

      await expect(
        codec.decode([recorded('contact-2', 'ContactRegistered', stolen)]),
      ).rejects.toThrow();
    });

    it('given an event type without a contract, when decoded, then it throws', async () => {
      await expect(
        codec.decode([recorded('contact-1', 'ContactTeleported', { contactId: 'contact-1' })]),
      ).rejects.toThrow(/no contract registered for event type ContactTeleported/);
    });
  });

  describe('crypto-shredding', () => {
    it("given a subject's key was destroyed, when its events are decoded, then personal fields are null, the rest stays and the event is marked erased", async () => {
      const stored = await encodeAndRecord('contact-1', registered('contact-1'));
      await codec.decode([stored]);

      await keys.destroy('contact-1');
      codec.forget('contact-1');
      const [decoded] = await codec.decode<ContactRegistered>([stored]);

      expect(decoded?.erased).toBe(true);
      expect(decoded?.data).toEqual({
        contactId: 'contact-1',
        name: null,
        email: null,
        team: 'sales',
        score: 7,
      });
      expect(JSON.stringify(decoded)).not.toContain(SEALED_FIELD);
    });

    it("given a subject's key was destroyed, then only that subject is erased", async () => {
      const first = await encodeAndRecord('contact-1', registered('contact-1'));
      const second = await encodeAndRecord('contact-2', registered('contact-2'));

      await keys.destroy('contact-1');
      codec.forget('contact-1');
      const decoded = await codec.decode<ContactRegistered>([first, second]);

      expect(decoded.map((e) => [e.streamId, e.erased, e.data.email])).toEqual([
        ['contact-1', true, null],
        ['contact-2', false, 'zoe@example.com'],
      ]);
    });

    it("given a subject's key was destroyed, then its events without personal fields are not marked erased", async () => {
      const stored = await encodeAndRecord('contact-1', archived('contact-1'));

      await keys.destroy('contact-1');
      codec.forget('contact-1');
      const [decoded] = await codec.decode<ContactArchived>([stored]);

      expect(decoded).toEqual({ ...stored, erased: false });
    });

    it('given events decoded in this turn, then a key destroyed and forgotten meanwhile erases them when decoded again', async () => {
      const stored = await encodeAndRecord('contact-1', registered('contact-1'));
      const [first] = await codec.decode<ContactRegistered>([stored]);
      const [again] = await codec.decode<ContactRegistered>([stored]);
      expect(again).toBe(first);

      await keys.destroy('contact-1');
      codec.forget('contact-1');
      const [erased] = await codec.decode<ContactRegistered>([stored]);

      expect(erased?.erased).toBe(true);
    });

    it('given a listener, then every subject forgotten is told to it (for codecs of other threads)', () => {
      const forgotten: string[] = [];
      codec.onForget((subject) => forgotten.push(subject));

      codec.forget('contact-1');
      codec.forget('contact-2');

      expect(forgotten).toEqual(['contact-1', 'contact-2']);
    });
  });
});

describe('event codec, sealed decoding for read models', () => {
  const keys = new InMemorySubjectKeyStore(generateDataKey);
  const codec = new EventCodec(
    new ContractRegistry([
      contract('ContactRegistered', ['name', 'email']),
      contract('ContactArchived', []),
    ]),
    keys,
  );

  it('given a stored event, decodeSealed leaves personal fields sealed and needs no key', async () => {
    const stored = recorded(
      'contact-9',
      'ContactRegistered',
      await codec.encodeData('contact-9', registered('9')),
    );
    const [event] = codec.decodeSealed([stored]);
    expect(event?.data).toMatchObject({ contactId: '9', team: 'sales', score: 7 });
    expect(JSON.stringify(event?.data)).not.toMatch(/Zoë|zoe@example\.com/);
    expect((event?.data as { name: unknown }).name).toEqual({
      sealed: [(stored.data as Record<string, unknown>)[SEALED_FIELD], 'contact-9', 'name'],
    });
  });

  it('reveals sealed values anywhere in a document, and null once the key is destroyed', async () => {
    const stored = recorded(
      'contact-10',
      'ContactRegistered',
      await codec.encodeData('contact-10', registered('10')),
    );
    const [event] = codec.decodeSealed<ContactRegistered>([stored]);
    // As a read-model store hands it back: through JSON.
    const doc = JSON.parse(
      JSON.stringify({
        id: '10',
        name: event?.data.name,
        contacts: [{ email: event?.data.email }],
        kind: 'person',
        note: { sealed: ['not', 'a sealed value'] },
      }),
    ) as unknown;
    expect(await codec.reveal([doc])).toEqual([
      {
        id: '10',
        name: 'Zoë Ωmega',
        contacts: [{ email: 'zoe@example.com' }],
        kind: 'person',
        note: { sealed: ['not', 'a sealed value'] },
      },
    ]);
    await keys.destroy('contact-10');
    codec.forget('contact-10');
    expect(await codec.reveal([doc])).toEqual([
      {
        id: '10',
        name: null,
        contacts: [{ email: null }],
        kind: 'person',
        note: { sealed: ['not', 'a sealed value'] },
      },
    ]);
  });

  it('given a document stored with the earlier { sealedWith, subject, field } form, then reveal still opens it, and null once the key is destroyed', async () => {
    const stored = recorded(
      'contact-12',
      'ContactRegistered',
      await codec.encodeData('contact-12', registered('12')),
    );
    const sealedWith = (stored.data as Record<string, unknown>)[SEALED_FIELD];
    const doc = {
      id: '12',
      name: { sealedWith, subject: 'contact-12', field: 'name' },
      emails: [{ sealedWith, subject: 'contact-12', field: 'email' }],
    };

    expect(await codec.reveal([doc])).toEqual([
      { id: '12', name: 'Zoë Ωmega', emails: ['zoe@example.com'] },
    ]);
    await keys.destroy('contact-12');
    codec.forget('contact-12');
    expect(await codec.reveal([doc])).toEqual([{ id: '12', name: null, emails: [null] }]);
  });

  it('passes events without personal fields through unchanged', () => {
    const stored = recorded('contact-11', 'ContactArchived', archived('11').data);
    expect(codec.decodeSealed([stored])[0]?.data).toEqual({ contactId: '11', reason: 'duplicate' });
  });

  describe('personal data of another subject', () => {
    type EmailCopied = DomainEvent<
      'ContactEmailCopied',
      { contactId: string; origin: string; email: string }
    >;
    const copied: EmailCopied = {
      type: 'ContactEmailCopied',
      data: { contactId: 'contact-a', origin: 'contact-b', email: 'b@example.com' },
    };
    let copying: EventCodec;
    beforeEach(() => {
      copying = new EventCodec(
        new ContractRegistry([
          {
            ...contract('ContactEmailCopied', ['email']),
            subjectOf: (data) => (typeof data['origin'] === 'string' ? data['origin'] : undefined),
          },
        ]),
        keys,
      );
    });

    it('given an event naming another subject, then it is sealed with that subject’s key and opens while it lives', async () => {
      await keys.getOrCreate('contact-a');
      const event = recorded(
        'contact-a',
        copied.type,
        await copying.encodeData('contact-a', copied),
      );

      const [decoded] = await copying.decode<EmailCopied>([event]);
      expect(decoded?.data.email).toBe('b@example.com');
      const [sealed] = copying.decodeSealed<EmailCopied>([event]);
      expect(await copying.reveal([sealed?.data])).toEqual([copied.data]);
    });

    it('given that subject erased, then the value in the other stream reads as null everywhere', async () => {
      await keys.getOrCreate('contact-a');
      const event = recorded(
        'contact-a',
        copied.type,
        await copying.encodeData('contact-a', copied),
      );
      const [sealed] = copying.decodeSealed<EmailCopied>([event]);

      await keys.destroy('contact-b');
      copying.forget('contact-b');

      const [decoded] = await copying.decode<EmailCopied>([event]);
      expect(decoded).toMatchObject({
        erased: true,
        data: { contactId: 'contact-a', email: null },
      });
      expect(await copying.reveal([sealed?.data])).toEqual([{ ...copied.data, email: null }]);
      expect(await keys.find('contact-a')).not.toBeNull();
    });
  });
});
