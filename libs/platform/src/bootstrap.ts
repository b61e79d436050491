import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { asyncApiDocument, ContractRegistry } from '@crm/events';
import type { ServiceConfig } from './config/service-config';
import { Projections } from './event-sourcing/event-sourcing.module';
import { serveMainThread, yieldToRequests } from './event-sourcing/projection-thread';
import { CATEGORY_TOPICS, type CategoryTopics } from './event-sourcing/kafka-relay';
import { Readiness } from './health/health.controller';
import { bodyErrors, jsonBody, requireJson, type StreamedBody } from './http/body-parsing';

export interface ServiceDescription {
  readonly title: string;
  readonly description: string;
  readonly version: string;
  /** Routes that take a streamed body of another type than JSON (CSV imports). */
  readonly streamedBodies?: readonly StreamedBody[];
}

/** Body parsing, OpenAPI and the rest of the HTTP set-up, shared by the service and its tests. */
export function configureHttp(
  app: NestExpressApplication,
  config: ServiceConfig,
  about: ServiceDescription,
): void {
  app.disable('x-powered-by');
  // ETags are stream revisions, set by the endpoints that have one; Express's own content
  // hashes would look like revisions to a client sending If-Match.
  app.set('etag', false);
  app.use(requireJson(about.streamedBodies), jsonBody(config.bodyLimitBytes), bodyErrors);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(about.title)
      .setDescription(about.description)
      .setVersion(about.version)
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  // The events the service publishes, next to its HTTP API: generated from the contracts.
  const events = asyncApiDocument(
    {
      title: `${about.title}: published events`,
      version: about.version,
      description: about.description,
    },
    app.get(ContractRegistry).all(),
    app.get<CategoryTopics>(CATEGORY_TOPICS),
  );
  app
    .getHttpAdapter()
    .getInstance()
    .get('/asyncapi.json', (_request, response) => {
      response.json(events);
    });
}

/**
 * The service's HTTP app. `entry`: the service's main script (`__filename` in main.ts),
 * which the projection thread runs again (PROJECTION_THREAD=worker); see
 * `runProjectionThread`.
 */
export async function createServiceApp(
  module: DynamicModule,
  config: ServiceConfig,
  about: ServiceDescription,
  entry: string,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  if (config.projectionThread === 'worker') app.get(Projections).runInThread(entry);
  configureHttp(app, config, about);
  return app;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: report not ready, stop accepting connections,
 * let in-flight requests finish (bounded by SHUTDOWN_TIMEOUT_MS), then close the app,
 * which stops the read models and closes the stores.
 */
export function shutDownGracefully(app: INestApplication, config: ServiceConfig): void {
  const logger = app.get(Logger);
  const server = app.getHttpServer() as Server;
  let stopping = false;
  // Keep-alive connections would otherwise keep carrying new requests after SIGTERM: once
  // stopping, every response closes its connection.
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (stopping && !response.headersSent) response.setHeader('Connection', 'close');
    response.once('finish', () => {
      if (stopping) server.closeIdleConnections();
    });
  });
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`shutting down on ${signal}`);
    app.get(Readiness).markShuttingDown();
    const drained = new Promise<boolean>((resolve) => server.close(() => resolve(true)));
    server.closeIdleConnections();
    const timeout = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), config.shutdownTimeoutMs).unref(),
    );
    void Promise.race([drained, timeout])
      .then(async (clean) => {
        if (!clean) {
          logger.warn(
            `requests still open at the ${config.shutdownTimeoutMs} ms shutdown deadline; closing them`,
          );
          server.closeAllConnections();
        }
        await app.close();
        process.exit(clean ? 0 : 1);
      })
      .catch((error: unknown) => {
        logger.error(error, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/**
 * The projection thread (see `isProjectionThread`): the service's modules as an application
 * context, without HTTP, whose Projections runs the read models; closed (runners stopped,
 * stores closed) when the main thread says stop. `main.ts` calls it instead of starting the
 * HTTP app.
 */
export async function runProjectionThread(module: DynamicModule): Promise<void> {
  yieldToRequests();
  const app = await NestFactory.createApplicationContext(module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  await app.init();
  const projections = app.get(Projections);
  serveMainThread({ rebuild: () => projections.rebuildAll(), stop: () => app.close() });
}
