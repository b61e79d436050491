import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { ServiceConfig } from './config/service-config';
import { SERVICE_CONFIG } from './config/tokens';
import { HealthController, Readiness } from './health/health.controller';
import { ProblemFilter } from './http/problem.filter';
import { validationPipe } from './http/validation';
import { AuthGuard } from './identity/auth.guard';
import { resolveJwtSecret } from './identity/jwt-secret';
import { TokenVerifier } from './identity/tokens';
import { AccessLogMiddleware, ROOT_LOGGER, rootLogger, serviceLogger } from './logging/logging';
import { HttpMetricsMiddleware, Metrics, MetricsController } from './metrics/metrics';

/** What every service shares: identity, problem responses, validation, health, metrics, logs. */
@Module({})
export class PlatformModule implements NestModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    const root = rootLogger(config);
    return {
      module: PlatformModule,
      global: true,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: ROOT_LOGGER, useValue: root },
        { provide: Logger, useValue: serviceLogger(root) },
        {
          provide: TokenVerifier,
          useFactory: () =>
            new TokenVerifier(resolveJwtSecret(config.jwtSecret, config.dataDir), config.jwtIssuer),
        },
        Readiness,
        Metrics,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useFactory: validationPipe },
      ],
      exports: [SERVICE_CONFIG, ROOT_LOGGER, Logger, Readiness, Metrics, TokenVerifier],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AccessLogMiddleware, HttpMetricsMiddleware).forRoutes('*path');
  }
}
