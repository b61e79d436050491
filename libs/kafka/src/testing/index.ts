export * from './kafka-test-env';
export * from './contact-fixtures';
export * from './applied-effects';
export * from './in-memory-bus';
export * from './topic-reader';
export * from './running';
