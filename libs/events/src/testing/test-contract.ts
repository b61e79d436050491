import type { EventContract } from '../contracts/event-contract';

/** A contract for specs' own event types: any data, `name` personal. */
export const testContract = (type: string): EventContract => ({
  type,
  ceType: `crm.test.${type.toLowerCase()}.v1`,
  source: '/crm/test',
  schema: { type: 'object' },
  personalFields: ['name'],
});
