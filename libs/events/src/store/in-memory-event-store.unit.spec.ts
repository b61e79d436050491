import { InMemoryEventStore } from './in-memory-event-store';
import { eventStoreContract } from '../testing/event-store-contract';

// The in-memory adapter keeps nothing across restarts, so it runs the contract without the
// reopen and crash cases; it exists for unit tests of pure logic only.
eventStoreContract('in-memory', { create: () => Promise.resolve(new InMemoryEventStore()) });
