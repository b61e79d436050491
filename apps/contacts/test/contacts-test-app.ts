import { startTestApp, type TestApp } from '@crm/platform/testing';
import { AppModule } from '../src/app.module';
import { ABOUT, SERVICE } from '../src/service';

export const startContacts = (env: NodeJS.ProcessEnv = {}): Promise<TestApp> =>
  startTestApp((config) => AppModule.forRoot(config), SERVICE, ABOUT, env);

export const ada = {
  kind: 'person',
  relationship: 'b2c',
  name: 'Ada Lovelace',
  primaryEmail: 'Ada.Lovelace@Example.COM',
  primaryPhone: '+44 20 7946 0958',
};
