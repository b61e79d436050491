import { schemas } from '@asyncapi/specs';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { asyncApiDocument, publishedPayloadSchema } from './asyncapi';
import { CONTACT_EVENT_CONTRACTS, CONTACT_TOPIC } from './contacts/contact-events';
import { ContractRegistry } from './event-contract';

const info = { title: 'contacts', version: '1.0.0', description: 'contact events' };
const document = asyncApiDocument(info, CONTACT_EVENT_CONTRACTS, { contact: CONTACT_TOPIC });

describe('AsyncAPI document', () => {
  it('given the contact contracts, is a valid AsyncAPI 3.0 document', () => {
    const ajv = addFormats(
      new Ajv({ strict: false, allErrors: true, meta: false, validateSchema: false }),
    );
    const valid = ajv.validate(schemas['3.0.0'], document);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('lists every contact event on the versioned contact topic', () => {
    const channel = (document['channels'] as Record<string, { address: string; messages: object }>)[
      'contact'
    ];
    expect(channel?.address).toBe('crm.contacts.contact.v1');
    expect(Object.keys(channel?.messages ?? {}).sort()).toEqual(
      CONTACT_EVENT_CONTRACTS.map((c) => c.type).sort(),
    );
  });

  it('leaves out events of categories without a topic', () => {
    const none = asyncApiDocument(info, CONTACT_EVENT_CONTRACTS, {});
    expect(none['channels']).toEqual({});
  });

  it('describes the payload as published: personal fields sealed into one member', () => {
    const ajv = addFormats(new Ajv2020({ strict: false }));
    const registered = new ContractRegistry(CONTACT_EVENT_CONTRACTS).get('ContactRegistered');
    const schema = publishedPayloadSchema(registered);
    const published = {
      contactId: '01a242b7-74cb-754e-8a51-c229a3e1063e',
      kind: 'person',
      relationship: 'b2c',
      $personal: 'v1.AAAA',
    };
    expect(ajv.validate(schema, published)).toBe(true);
    expect(ajv.validate(schema, { ...published, name: 'Ada Lovelace' })).toBe(false);
    const { $personal: _, ...unsealed } = published;
    expect(ajv.validate(schema, unsealed)).toBe(false);
  });
});
