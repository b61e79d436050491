import type { Decider } from '../command/decider';
import type { DomainEvent } from '../store/event';

/**
 * Given/when/then specification of a decider:
 * `spec.given([...events]).when(command).then([...events])` or `.thenThrows(ErrorClass)`.
 */
export function deciderSpec<C, E extends DomainEvent, S>(decider: Decider<C, E, S>) {
  return {
    given(history: readonly E[]) {
      const state = history.reduce((s, e) => decider.evolve(s, e), decider.initialState());
      return {
        when(command: C) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: readonly E[]): void {
              expect(run()).toEqual(expected);
            },
            thenThrows(errorType: new (...args: never[]) => Error, message?: RegExp): void {
              expect(run).toThrow(errorType);
              if (message) expect(run).toThrow(message);
            },
            /** For rules that need more than events, e.g. the state the events lead to. */
            thenState(assert: (state: S, events: readonly E[]) => void): void {
              const events = run();
              assert(
                events.reduce((s, e) => decider.evolve(s, e), state),
                events,
              );
            },
          };
        },
      };
    },
  };
}
