import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { configureHttp, type ServiceDescription } from '../bootstrap';
import { loadServiceConfig, type ServiceConfig } from '../config/service-config';
import type { Role } from '../identity/principal';
import { mintToken } from '../identity/tokens';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TestApp {
  readonly app: NestExpressApplication;
  readonly server: Server;
  readonly config: ServiceConfig;
  /** A bearer token for an employee with the given roles. */
  token(roles: readonly Role[], employeeId?: string, team?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * With CRM_TEST_MODE=distributed the same suites run on PostgreSQL and the MongoDB-wire
 * server the engine scripts started (POSTGRES_URL, MONGODB_URL), each app in its own schema
 * and database.
 */
function distributedEnv(): NodeJS.ProcessEnv {
  if (process.env['CRM_TEST_MODE'] !== 'distributed') return {};
  const { POSTGRES_URL, MONGODB_URL } = process.env;
  if (!POSTGRES_URL || !MONGODB_URL) {
    throw new Error(
      'CRM_TEST_MODE=distributed needs POSTGRES_URL and MONGODB_URL (scripts/engines/up.sh)',
    );
  }
  const unique = `t_${randomBytes(5).toString('hex')}`;
  return {
    EVENT_STORE: 'postgres',
    POSTGRES_URL,
    POSTGRES_SCHEMA: unique,
    READ_MODELS: 'mongodb',
    MONGODB_URL,
    MONGODB_DATABASE: unique,
  };
}

/**
 * Boots a service module in-process on a fresh data directory, with the same HTTP set-up
 * as production (body limits, problem responses, guards), for supertest.
 */
export async function startTestApp(
  module: (config: ServiceConfig) => DynamicModule,
  service: string,
  about: ServiceDescription,
  env: NodeJS.ProcessEnv = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), `crm-${service}-`));
  const config = loadServiceConfig(service, 0, {
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    ...distributedEnv(),
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [module(config)] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    bodyParser: false,
    logger: false,
  });
  configureHttp(app, config, about);
  await app.init();
  return {
    app,
    server: app.getHttpServer(),
    config,
    token: (roles, employeeId = 'alice', team = 'sales') =>
      mintToken(TEST_JWT_SECRET, config.jwtIssuer, { employeeId, team, roles }),
    close: () => app.close(),
  };
}
