import { Controller, Get, Header, Injectable, type NestMiddleware } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per service process. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly eventsAppended = new Counter({
    name: 'crm_events_appended_total',
    help: 'Domain events appended to the event store, by event type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  /** 1 while this replica holds the relay leadership and publishes to Kafka (BUS=kafka). */
  readonly relayLeader = new Gauge({
    name: 'crm_kafka_relay_leader',
    help: 'Whether this replica is the one publishing the service events to Kafka (1) or not (0)',
    registers: [this.registry],
  });
  /** Read models report their position here; sampled when Prometheus scrapes. */
  readonly readModelPositions = new Map<string, () => number>();
  storeHead: () => Promise<number> = () => Promise.resolve(0);

  constructor() {
    const positions = this.readModelPositions;
    new Gauge({
      name: 'crm_projection_position',
      help: 'Last global position applied by each read model',
      labelNames: ['read_model'] as const,
      registers: [this.registry],
      collect() {
        for (const [readModel, position] of positions)
          this.set({ read_model: readModel }, position());
      },
    });
    const head = () => this.storeHead();
    new Gauge({
      name: 'crm_event_store_head_position',
      help: 'Highest global position in the event store',
      registers: [this.registry],
      async collect() {
        this.set(await head());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }
}

@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: Metrics) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const stop = this.metrics.httpDuration.startTimer();
    response.once('finish', () => {
      // The route pattern, never the raw URL: ids would explode the label set.
      const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
      stop({
        method: request.method,
        route: `${request.baseUrl}${route}`,
        status: String(response.statusCode),
      });
    });
    next();
  }
}

@ApiExcludeController()
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
