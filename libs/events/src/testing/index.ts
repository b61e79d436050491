export * from './decider-spec';
export * from './projection-spec';
export * from './event-store-contract';
export * from './read-model-store-contract';
export * from './eventually';
export * from './subject-key-store-contract';
export * from './test-metadata';
export * from './test-contract';
