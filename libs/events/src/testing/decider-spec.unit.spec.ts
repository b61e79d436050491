import type { Decider } from '../command/decider';
import type { DomainEvent } from '../store/event';
import { deciderSpec } from './decider-spec';

// ---- a tiny decider: a counter that cannot go below zero ----

type Incremented = DomainEvent<'Incremented', { by: number }>;
type Decremented = DomainEvent<'Decremented', { by: number }>;
type CounterEvent = Incremented | Decremented;
type CounterCommand = { readonly type: 'Increment' | 'Decrement'; readonly by: number };
type Counter = { readonly status: 'counting'; readonly value: number };

class CounterWouldGoNegative extends Error {
  readonly problemType = 'counter-would-go-negative';
  constructor(value: number, by: number) {
    super(`cannot take ${by} from ${value}`);
  }
}

class SomeOtherDomainError extends Error {}

const counter: Decider<CounterCommand, CounterEvent, Counter> = {
  initialState: () => ({ status: 'counting', value: 0 }),
  decide(command, state) {
    switch (command.type) {
      case 'Increment':
        return [{ type: 'Incremented', data: { by: command.by } }];
      case 'Decrement':
        if (state.value < command.by) throw new CounterWouldGoNegative(state.value, command.by);
        return [{ type: 'Decremented', data: { by: command.by } }];
      default: {
        const exhaustive: never = command.type;
        return exhaustive;
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'Incremented':
        return { status: 'counting', value: state.value + event.data.by };
      case 'Decremented':
        return { status: 'counting', value: state.value - event.data.by };
      default: {
        const exhaustive: never = event;
        return exhaustive;
      }
    }
  },
};

const incremented = (by: number): Incremented => ({ type: 'Incremented', data: { by } });
const decremented = (by: number): Decremented => ({ type: 'Decremented', data: { by } });
const decrement = (by: number): CounterCommand => ({ type: 'Decrement', by });

describe('decider spec DSL', () => {
  const spec = deciderSpec(counter);

  describe('then', () => {
    it('given the decided events, then it passes', () => {
      spec
        .given([incremented(2)])
        .when(decrement(1))
        .then([decremented(1)]);
    });

    it('given other events than decided, then it fails', () => {
      expect(() => {
        spec
          .given([incremented(2)])
          .when(decrement(1))
          .then([decremented(2)]);
      }).toThrow();
      expect(() => {
        spec
          .given([incremented(2)])
          .when(decrement(1))
          .then([]);
      }).toThrow();
    });

    it('given the history, then the command is decided on the state it folds to', () => {
      expect(() => {
        spec
          .given([])
          .when(decrement(1))
          .then([decremented(1)]);
      }).toThrow(CounterWouldGoNegative);
      spec
        .given([incremented(1)])
        .when(decrement(1))
        .then([decremented(1)]);
    });
  });

  describe('thenThrows', () => {
    it('given the decider throws that error type (and message), then it passes', () => {
      spec
        .given([])
        .when(decrement(1))
        .thenThrows(CounterWouldGoNegative, /cannot take 1 from 0/);
    });

    it('given the decider throws nothing, then it fails', () => {
      expect(() => {
        spec
          .given([incremented(1)])
          .when(decrement(1))
          .thenThrows(CounterWouldGoNegative);
      }).toThrow();
    });

    it('given the decider throws another error type, then it fails', () => {
      expect(() => {
        spec.given([]).when(decrement(1)).thenThrows(SomeOtherDomainError);
      }).toThrow();
    });

    it('given the message does not match, then it fails', () => {
      expect(() => {
        spec
          .given([])
          .when(decrement(1))
          .thenThrows(CounterWouldGoNegative, /from 42/);
      }).toThrow();
    });
  });

  describe('thenState', () => {
    it('given an assertion on the state after the decided events, then it sees that state and those events', () => {
      spec
        .given([incremented(5)])
        .when(decrement(2))
        .thenState((state, events) => {
          expect(state).toEqual({ status: 'counting', value: 3 });
          expect(events).toEqual([decremented(2)]);
        });
    });

    it('given a failing assertion on the state, then it fails', () => {
      expect(() => {
        spec
          .given([incremented(5)])
          .when(decrement(2))
          .thenState((state) => {
            expect(state.value).toBe(5);
          });
      }).toThrow();
    });
  });
});
