import type { Projection } from '../projection/projection';
import type { DomainEvent } from '../store/event';
import { projectionSpec } from './projection-spec';

// ---- a tiny projection: one card per contact, deleted when the contact is removed ----

type ContactRegistered = DomainEvent<'ContactRegistered', { name: string | null }>;
type ContactCalled = DomainEvent<'ContactCalled', { minutes: number }>;
type ContactRemoved = DomainEvent<'ContactRemoved', Record<string, never>>;
type ContactEvent = ContactRegistered | ContactCalled | ContactRemoved;

interface ContactCard {
  readonly contactId: string;
  readonly name: string | null;
  readonly calls: number;
  readonly lastCalledBy: string | null;
  readonly erased: boolean;
  readonly revision: number;
}

const contactCards: Projection<ContactCard, ContactEvent> = {
  name: 'contact_cards',
  version: 1,
  handles: ['ContactRegistered', 'ContactCalled', 'ContactRemoved'],
  documentId: (event) => event.streamId,
  evolve(doc, event) {
    switch (event.type) {
      case 'ContactRegistered':
        return {
          contactId: event.streamId,
          name: event.data.name,
          calls: 0,
          lastCalledBy: null,
          erased: event.erased,
          revision: event.revision,
        };
      case 'ContactCalled':
        // Deliberately not idempotent: only the position guard keeps a redelivery harmless.
        return (
          doc && {
            ...doc,
            calls: doc.calls + 1,
            lastCalledBy: event.metadata.actorId,
            revision: event.revision,
          }
        );
      case 'ContactRemoved':
        return null;
      default: {
        const exhaustive: never = event;
        return exhaustive;
      }
    }
  },
};

const registered = (name: string | null = 'Zoë') => ({
  streamId: 'contact-1',
  event: { type: 'ContactRegistered', data: { name } } as ContactRegistered,
});
const called = (actorId = 'employee-1') => ({
  streamId: 'contact-1',
  event: { type: 'ContactCalled', data: { minutes: 5 } } as ContactCalled,
  metadata: { actorId },
});
const removed = () => ({
  streamId: 'contact-1',
  event: { type: 'ContactRemoved', data: {} } as ContactRemoved,
});

const card = (overrides: Partial<ContactCard> = {}): ContactCard => ({
  contactId: 'contact-1',
  name: 'Zoë',
  calls: 0,
  lastCalledBy: null,
  erased: false,
  revision: 0,
  ...overrides,
});

describe('projection spec DSL', () => {
  const spec = projectionSpec(contactCards);

  it('given the document the event leads to, then it passes', () => {
    spec.given([]).when(registered()).then(card());
  });

  it('given another document than the event leads to, then it fails', () => {
    expect(() => {
      spec
        .given([])
        .when(registered())
        .then(card({ name: 'Somebody else' }));
    }).toThrow();
    expect(() => {
      spec.given([]).when(registered()).then(null);
    }).toThrow();
  });

  it('given a history, then the event is applied to the document it folds to, with revisions per stream', () => {
    spec
      .given([registered(), called()])
      .when(called('employee-2'))
      .then(card({ calls: 2, lastCalledBy: 'employee-2', revision: 2 }));
    expect(() => {
      spec.given([registered()]).when(called()).then(card());
    }).toThrow();
  });

  it('given an event that deletes the document, then null is expected', () => {
    spec.given([registered()]).when(removed()).then(null);
    expect(() => {
      spec.given([registered()]).when(removed()).then(card());
    }).toThrow();
  });

  it('given an erased event, then the projection sees it marked erased', () => {
    spec
      .given([])
      .when({ ...registered(null), erased: true })
      .then(card({ name: null, erased: true }));
  });

  it('given a projection that is not idempotent, then delivering the same event twice still leaves the document unchanged (the runner’s position guard)', () => {
    spec
      .given([registered()])
      .when(called())
      .then(card({ calls: 1, lastCalledBy: 'employee-1', revision: 1 }));
  });

  it('given several scenarios on one spec, then each starts its streams at revision 0', () => {
    const shared = projectionSpec(contactCards);

    shared
      .given([])
      .when(registered())
      .then(card({ revision: 0 }));
    shared
      .given([])
      .when(registered())
      .then(card({ revision: 0 }));
  });
});
