import { readModelStoreContract } from '../testing/read-model-store-contract';
import { InMemoryReadModelStore } from './in-memory-read-model-store';

// The store unit specs run on: it must behave as the stores with an engine do.
readModelStoreContract('in-memory', {
  create: () => Promise.resolve(new InMemoryReadModelStore()),
});
