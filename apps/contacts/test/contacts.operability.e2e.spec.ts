import { EVENT_STORE, READ_MODELS } from '@crm/platform';
import type { TestApp } from '@crm/platform/testing';
import request from 'supertest';
import { ada, startContacts } from './contacts-test-app';

describe('contacts operability', () => {
  let service: TestApp;
  let rep: string;

  beforeAll(async () => {
    service = await startContacts();
    rep = `Bearer ${await service.token(['rep'])}`;
  });
  afterAll(() => service.close());

  it('runs on the adapters its configuration names (CRM_TEST_MODE=distributed: PostgreSQL and MongoDB)', () => {
    const distributed = process.env['CRM_TEST_MODE'] === 'distributed';
    expect(service.config.eventStore).toBe(distributed ? 'postgres' : 'sqlite');
    expect(service.config.readModels).toBe(distributed ? 'mongodb' : 'embedded');
    expect(service.app.get<object>(EVENT_STORE).constructor.name).toBe(
      distributed ? 'PostgresEventStore' : 'SqliteEventStore',
    );
    expect(service.app.get<object>(READ_MODELS).constructor.name).toBe(
      distributed ? 'MongoReadModelStore' : 'SqliteReadModelStore',
    );
  });

  it('answers liveness and readiness without a token', async () => {
    await request(service.server).get('/health/live').expect(200, { status: 'ok' });
    await request(service.server).get('/health/ready').expect(200, { status: 'ok' });
  });

  it('serves the AsyncAPI document of the published events, without a token', async () => {
    const { body } = await request(service.server).get('/asyncapi.json').expect(200);
    expect(body.asyncapi).toBe('3.0.0');
    expect(body.channels.contact.address).toBe('crm.contacts.contact.v1');
    expect(Object.keys(body.components.messages)).toEqual(
      expect.arrayContaining(['ContactRegistered', 'ContactMerged', 'ContactErased']),
    );
  });

  it('serves OpenAPI generated from the code, without a token', async () => {
    const { body } = await request(service.server).get('/openapi.json').expect(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/contacts',
        '/contacts/{id}',
        '/contacts/{id}/history',
        '/contacts/{id}/name',
        '/contacts/{id}/primary-email',
        '/contacts/{id}/primary-phone',
        '/health/live',
        '/health/ready',
      ]),
    );
    expect(body.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(body.components.schemas.RegisterContactDto.required).toEqual(
      expect.arrayContaining(['kind', 'relationship', 'name']),
    );
    const docs = await request(service.server).get('/docs').expect(200);
    expect(docs.text).toContain('swagger-ui');
  });

  it('exposes Prometheus metrics to authenticated callers, counting requests by route and events by type', async () => {
    await request(service.server).post('/contacts').set('Authorization', rep).send(ada).expect(201);
    await request(service.server).get('/metrics').expect(401);
    const { text } = await request(service.server)
      .get('/metrics')
      .set('Authorization', rep)
      .expect(200);
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/contacts",status="201"\} [1-9]/,
    );
    expect(text).toMatch(/crm_events_appended_total\{type="ContactRegistered"\} [1-9]/);
    expect(text).toMatch(/crm_projection_position\{read_model="contact_list_v2"\} \d+/);
    expect(text).toMatch(/crm_event_store_head_position [1-9]/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('echoes a request id for log correlation', async () => {
    const response = await request(service.server)
      .get('/health/live')
      .set('X-Request-Id', 'trace-123')
      .expect(200);
    expect(response.headers['x-request-id']).toBe('trace-123');
  });
});
