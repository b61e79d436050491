import type { DomainEvent } from '../store/event';

/**
 * An aggregate as a pure, synchronous decider: the only place its rules live. Clock values
 * and new ids come in as command data, so `decide` stays deterministic.
 */
export interface Decider<C, E extends DomainEvent, S> {
  initialState(): S;
  decide(command: C, state: S): readonly E[];
  evolve(state: S, event: E): S;
}

export function fold<E extends DomainEvent, S>(
  decider: Pick<Decider<unknown, E, S>, 'initialState' | 'evolve'>,
  events: readonly E[],
): S {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
}
