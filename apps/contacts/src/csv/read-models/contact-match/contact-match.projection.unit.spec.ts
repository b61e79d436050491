import type { ContactEvent } from '@crm/events';
import { projectionSpec, type SpecEvent } from '@crm/events/testing';
import {
  type ContactMatchDoc,
  contactMatchProjection,
  matchKeyWith,
  nameKeyOf,
} from './contact-match.projection';

const contactId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
const streamId = `contact-${contactId}`;
const key = matchKeyWith(Buffer.alloc(32, 7));
const spec = projectionSpec(contactMatchProjection(key));
const on = (event: ContactEvent): SpecEvent<ContactEvent> => ({ streamId, event });
const email = (value: string) => key('email', value);

const registered = on({
  type: 'ContactRegistered',
  data: {
    contactId,
    kind: 'person',
    relationship: 'b2c',
    name: 'Ada  Lovelace',
    primaryEmail: 'ada@example.com',
    primaryPhone: null,
  },
});
const doc: ContactMatchDoc = {
  id: contactId,
  kind: 'person',
  emails: [email('ada@example.com')],
  email: email('ada@example.com'),
  copies: {},
  externalId: null,
  name: key('name', nameKeyOf('person', 'ada lovelace')),
  archived: false,
  merged: false,
  live: true,
};
const added = on({
  type: 'ContactEmailAdded',
  data: { contactId, email: 'ada.king@example.org', label: 'work' },
});
const withTwo = { ...doc, emails: [email('ada@example.com'), email('ada.king@example.org')] };

describe('contact match projection', () => {
  it('ContactRegistered keys the primary email and the kind with the name, never the values', () => {
    spec.given([]).when(registered).then(doc);
    expect(JSON.stringify(doc)).not.toMatch(/ada|lovelace/i);
  });

  it('ContactRenamed keys the new name', () => {
    spec
      .given([registered])
      .when(on({ type: 'ContactRenamed', data: { contactId, name: 'Ada King' } }))
      .then({ ...doc, name: key('name', nameKeyOf('person', 'Ada King')) });
  });

  it('ContactEmailAdded keeps the primary; the first email added to a party without one becomes it', () => {
    spec.given([registered]).when(added).then(withTwo);
    const noEmail = on({
      ...registered.event,
      data: { ...registered.event.data, primaryEmail: null },
    } as ContactEvent);
    spec
      .given([noEmail])
      .when(added)
      .then({
        ...doc,
        emails: [email('ada.king@example.org')],
        email: email('ada.king@example.org'),
      });
  });

  it('ContactPrimaryEmailSet moves the primary; null drops the primary email, the next one takes over', () => {
    const set = (value: string | null) =>
      on({ type: 'ContactPrimaryEmailSet', data: { contactId, email: value } });
    spec
      .given([registered, added])
      .when(set('ada.king@example.org'))
      .then({ ...withTwo, email: email('ada.king@example.org') });
    spec
      .given([registered, added])
      .when(set(null))
      .then({
        ...doc,
        emails: [email('ada.king@example.org')],
        email: email('ada.king@example.org'),
      });
  });

  it('ContactEmailRemoved of the primary: the next one takes over', () => {
    spec
      .given([registered, added])
      .when(
        on({
          type: 'ContactEmailRemoved',
          data: { contactId, email: 'ada@example.com', primaryEmail: 'ada.king@example.org' },
        }),
      )
      .then({
        ...doc,
        emails: [email('ada.king@example.org')],
        email: email('ada.king@example.org'),
      });
  });

  it('ContactCustomFieldSet and ContactCustomFieldRemoved key the external id only', () => {
    const set = (field: string) =>
      on({
        type: 'ContactCustomFieldSet',
        data: { contactId, field, valueType: 'string', value: 'crm-1' },
      });
    spec
      .given([registered])
      .when(set('externalId'))
      .then({ ...doc, externalId: key('external-id', 'crm-1') });
    spec.given([registered]).when(set('shoeSize')).then(doc);
    spec
      .given([registered, set('externalId')])
      .when(on({ type: 'ContactCustomFieldRemoved', data: { contactId, field: 'externalId' } }))
      .then(doc);
  });

  it('ContactArchived, ContactRestored, ContactMergedInto and ContactUnmerged decide whether rows may match it', () => {
    const archived = on({ type: 'ContactArchived', data: { contactId, reason: null } });
    const merged = on({
      type: 'ContactMergedInto',
      data: {
        contactId,
        survivorId: '01a242b7-74cb-754e-8a51-c229a3e10640',
        mergeId: '01a242b7-74cb-754e-8a51-c229a3e10641',
      },
    });
    spec
      .given([registered])
      .when(archived)
      .then({ ...doc, archived: true, live: false });
    spec
      .given([registered, archived])
      .when(on({ type: 'ContactRestored', data: { contactId } }))
      .then(doc);
    spec
      .given([registered, archived])
      .when(merged)
      .then({ ...doc, archived: true, merged: true, live: false });
    spec
      .given([registered, merged])
      .when(
        on({
          type: 'ContactUnmerged',
          data: { contactId, mergeId: '01a242b7-74cb-754e-8a51-c229a3e10641' },
        }),
      )
      .then(doc);
  });

  it('ContactErased deletes the document; replayed after the key is gone, values arrive as null', () => {
    spec
      .given([registered, added])
      .when(on({ type: 'ContactErased', data: { contactId } }))
      .then(null);
    const replayed = on({
      ...registered.event,
      data: { ...registered.event.data, name: null, primaryEmail: null },
    } as ContactEvent);
    spec
      .given([])
      .when(replayed)
      .then({ ...doc, emails: [], email: null, name: null });
  });

  it('ContactMergeUndone takes out the emails the merge copied, by reference, and sets the primary it names', () => {
    const absorbedId = '01a242b7-74cb-754e-8a51-c229a3e10640';
    const mergeId = '01a242b8-0000-7000-8000-000000000001';
    const copied = on({
      type: 'ContactEmailAdded',
      data: { contactId, email: 'countess@lovelace.org', label: 'home', origin: absorbedId },
    });
    spec
      .given([registered, copied])
      .when(
        on({
          type: 'ContactMergeUndone',
          data: {
            contactId,
            mergeId,
            absorbedIds: [absorbedId],
            primaryEmail: 'ada@example.com',
            primaryPhone: null,
          },
        }),
      )
      .then(doc);
    spec
      .given([registered])
      .when(
        on({
          type: 'ContactPrimaryEmailSet',
          data: { contactId, email: null, origin: absorbedId },
        }),
      )
      .then(doc);
    spec
      .given([registered, copied])
      .when(on({ type: 'ContactMergeUndone', data: { contactId, mergeId } }))
      .then({
        ...doc,
        emails: [...doc.emails, email('countess@lovelace.org')],
        copies: { [email('countess@lovelace.org')]: absorbedId },
      });
  });
});
