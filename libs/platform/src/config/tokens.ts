export const SERVICE_CONFIG = Symbol('ServiceConfig');
