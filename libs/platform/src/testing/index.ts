export * from './test-app';
export * from './service-process';
