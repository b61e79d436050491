import type { EventMetadata } from '../store/event';

/** The metadata of events that specs append: who and when do not matter to them. */
export const TEST_METADATA: EventMetadata = {
  happenedAt: '2026-01-01T09:00:00.000Z',
  recordedAt: '2026-01-01T09:00:00.000Z',
  correlationId: 'correlation-1',
  causationId: null,
  actorId: 'employee-1',
  actorTeam: 'sales',
};
