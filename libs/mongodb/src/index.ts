export * from './mongo-read-model-store';
export * from './blue-green';
