import express, { type Express } from 'express';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { eventually } from '@crm/events/testing';
import { AccessLogMiddleware } from './logging';

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly req: { readonly id: string; readonly method: string; readonly url: string };
  readonly res: { readonly statusCode: number };
  readonly responseTime: number;
  readonly actorId?: string;
  readonly team?: string;
}

const INFO = 30;
const WARN = 40;
const ERROR = 50;

/** An Express app behind the access log, its logger writing JSON lines into `lines`. */
function appLoggingAt(level: pino.Level): { app: Express; lines: Line[] } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      done();
    },
  });
  const middleware = new AccessLogMiddleware(pino({ level, base: {} }, sink));
  const app = express();
  app.use((req, res, next) => middleware.use(req, res, next));
  app.post('/contacts', (req, res) => {
    // As the auth guard does, after the access log has seen the request.
    Object.assign(req, { principal: { employeeId: 'alice', team: 'sales' } });
    res.status(201).json({ id: 'c-1' });
  });
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/broken', (_req, res) => {
    res.status(500).end();
  });
  app.get('/slow', () => undefined);
  return { app, lines };
}

describe('access log', () => {
  it('given a request at level info, then one JSON line says request, status, time and actor, without the query string', async () => {
    const { app, lines } = appLoggingAt('info');

    const response = await request(app)
      .post('/contacts?search=ada@example.com')
      .send({ name: 'Ada' })
      .expect(201);

    await eventually(() => {
      expect(lines).toHaveLength(1);
    });
    expect(lines[0]).toEqual({
      level: INFO,
      time: expect.any(Number),
      msg: 'request completed',
      req: { id: response.headers['x-request-id'], method: 'POST', url: '/contacts' },
      res: { statusCode: 201 },
      responseTime: expect.any(Number),
      actorId: 'alice',
      team: 'sales',
    });
    expect(JSON.stringify(lines)).not.toContain('ada@example.com');
  });

  it("given the caller's request id, then it is echoed and logged; one too long is replaced by a new one", async () => {
    const { app, lines } = appLoggingAt('info');

    const given = await request(app).post('/contacts').set('X-Request-Id', 'trace-123');
    const overlong = await request(app).post('/contacts').set('X-Request-Id', 'x'.repeat(129));

    expect(given.headers['x-request-id']).toBe('trace-123');
    expect(overlong.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await eventually(() => {
      expect(lines.map((line) => line.req.id)).toEqual([
        'trace-123',
        overlong.headers['x-request-id'],
      ]);
    });
  });

  it('given a health check, then it gets an id but no line', async () => {
    const { app, lines } = appLoggingAt('info');

    const response = await request(app).get('/health/live').expect(200);
    await request(app).post('/contacts').expect(201);

    expect(response.headers['x-request-id']).toBeDefined();
    await eventually(() => {
      expect(lines.map((line) => line.req.url)).toEqual(['/contacts']);
    });
  });

  it('given level warn, then requests get ids and no line is written, failed ones neither (the problem filter logs those)', async () => {
    const { app, lines } = appLoggingAt('warn');

    const response = await request(app).post('/contacts').expect(201);
    await request(app).get('/broken').expect(500);
    await request(app).post('/contacts').expect(201);

    expect(response.headers['x-request-id']).toBeDefined();
    expect(lines).toEqual([]);
  });

  it('given a server error, then its line is an error', async () => {
    const { app, lines } = appLoggingAt('info');

    await request(app).get('/broken').expect(500);

    await eventually(() => {
      expect(lines.map((line) => [line.level, line.msg, line.res.statusCode])).toEqual([
        [ERROR, 'request failed', 500],
      ]);
    });
  });

  it('given a client that gives up before the answer, then its line is a warning', async () => {
    const { app, lines } = appLoggingAt('info');
    const server: Server = app.listen(0);
    try {
      const { port } = server.address() as AddressInfo;
      const abandoned = httpRequest({ port, path: '/slow' });
      abandoned.on('error', () => undefined);
      abandoned.end();
      await eventually(() => {
        expect(server.listenerCount('request')).toBeGreaterThan(0);
      });
      setTimeout(() => abandoned.destroy(), 100);

      await eventually(() => {
        expect(lines.map((line) => [line.level, line.msg, line.req.url])).toEqual([
          [WARN, 'request aborted', '/slow'],
        ]);
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
