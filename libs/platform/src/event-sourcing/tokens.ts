export const EVENT_STORE = Symbol('EventStore');
export const SUBJECT_KEYS = Symbol('SubjectKeyStore');
export const READ_MODELS = Symbol('ReadModelStore');
