import type { EventStore } from '@crm/events';
import { EVENT_STORE, Projections } from '@crm/platform';
import { startTestApp, type TestApp } from '@crm/platform/testing';
import { AppModule } from '../src/app.module';
import { ABOUT, SERVICE } from '../src/service';

export const startContacts = (env: NodeJS.ProcessEnv = {}): Promise<TestApp> =>
  startTestApp((config) => AppModule.forRoot(config), SERVICE, ABOUT, env);

/** Waits until every read model applied the whole log; fails naming one that did not. */
export async function readModelsCaughtUp(service: TestApp, timeoutMs = 20_000): Promise<void> {
  const head = await service.app.get<EventStore>(EVENT_STORE).headPosition();
  for (const runner of service.app.get(Projections).all()) {
    expect({ readModel: runner.key, caughtUp: await runner.waitFor(head, timeoutMs) }).toEqual({
      readModel: runner.key,
      caughtUp: true,
    });
  }
}

export const ada = {
  kind: 'person',
  relationship: 'b2c',
  name: 'Ada Lovelace',
  primaryEmail: 'Ada.Lovelace@Example.COM',
  primaryPhone: '+44 20 7946 0958',
};
