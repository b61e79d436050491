import type { EventStore } from '@crm/events';
import { EVENT_STORE } from '@crm/platform';
import { TEST_JWT_SECRET, type TestApp } from '@crm/platform/testing';
import { SignJWT } from 'jose';
import request from 'supertest';
import { ada, startContacts } from './contacts-test-app';

// Every bad request gets a problem response naming what is wrong, stores nothing, and
// leaves the process serving.
describe('contacts API, given bad input', () => {
  let service: TestApp;
  let rep: string;
  let store: EventStore;
  let headBefore: number;

  beforeAll(async () => {
    service = await startContacts({ HTTP_BODY_LIMIT_BYTES: '4096' });
    rep = `Bearer ${await service.token(['rep'])}`;
    store = service.app.get<EventStore>(EVENT_STORE);
  });
  afterAll(() => service.close());

  beforeEach(async () => {
    headBefore = await store.headPosition();
  });
  afterEach(async () => {
    expect(await store.headPosition()).toBe(headBefore);
    await request(service.server).get('/health/live').expect(200);
  });

  const post = () => request(service.server).post('/contacts').set('Authorization', rep);
  const expectProblem = (response: request.Response, status: number, type: RegExp) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      status,
      type: expect.stringMatching(type),
      title: expect.any(String),
      detail: expect.any(String),
    });
  };

  it('malformed JSON → 400 malformed-json', async () => {
    expectProblem(
      await post().set('Content-Type', 'application/json').send('{"kind": "person",'),
      400,
      /malformed-json$/,
    );
  });

  it('wrong types → 400 listing every invalid field', async () => {
    const response = await post().send({
      kind: 'robot',
      relationship: 7,
      name: ['Ada'],
      primaryEmail: 'not-an-email',
      primaryPhone: '12',
    });
    expectProblem(response, 400, /validation-failed$/);
    const fields = new Set(response.body.errors.map((e: { field: string }) => e.field));
    expect(fields).toEqual(
      new Set(['kind', 'relationship', 'name', 'primaryEmail', 'primaryPhone']),
    );
  });

  it('unknown fields → 400 naming them', async () => {
    const response = await post().send({ ...ada, owner: 'bob', isAdmin: true });
    expectProblem(response, 400, /validation-failed$/);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'owner', message: 'property owner should not exist' },
        { field: 'isAdmin', message: 'property isAdmin should not exist' },
      ]),
    );
  });

  it('missing required fields and blank names → 400', async () => {
    const response = await post().send({ kind: 'person', relationship: 'b2c', name: '   ' });
    expectProblem(response, 400, /validation-failed$/);
    expect(response.body.errors[0].field).toBe('name');
    expectProblem(await post().send({}), 400, /validation-failed$/);
  });

  it('a JSON array or scalar body → 400', async () => {
    expectProblem(
      await post().set('Content-Type', 'application/json').send('[1,2]'),
      400,
      /validation-failed|malformed-json/,
    );
    expectProblem(
      await post().set('Content-Type', 'application/json').send('"text"'),
      400,
      /malformed-json$/,
    );
  });

  it('oversized body → 413', async () => {
    expectProblem(
      await post().send({ ...ada, name: 'x'.repeat(10_000) }),
      413,
      /payload-too-large$/,
    );
  });

  it('a body that is not JSON → 415', async () => {
    expectProblem(
      await post().set('Content-Type', 'text/plain').send('kind=person'),
      415,
      /unsupported-media-type$/,
    );
  });

  it('a malformed If-Match → 400', async () => {
    const { body } = await post().send(ada).expect(201);
    headBefore = await store.headPosition();
    const response = await request(service.server)
      .put(`/contacts/${body.id}/name`)
      .set('Authorization', rep)
      .set('If-Match', 'yesterday')
      .send({ name: 'X' });
    expectProblem(response, 400, /validation-failed$/);
  });

  describe('identity', () => {
    const sign = (
      claims: Record<string, unknown>,
      secret: string,
      expiresAt: number | string = '1h',
      issuer = 'quick-sales-crm',
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('mallory')
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime(expiresAt)
        .sign(new TextEncoder().encode(secret));

    it('missing token → 401', async () => {
      expectProblem(
        await request(service.server).post('/contacts').send(ada),
        401,
        /unauthorized$/,
      );
      expectProblem(await request(service.server).get('/contacts'), 401, /unauthorized$/);
    });

    it('expired token → 401 saying so', async () => {
      const token = await sign(
        { team: 'sales', roles: ['rep'] },
        TEST_JWT_SECRET,
        Math.floor(Date.now() / 1000) - 60,
      );
      const response = await request(service.server)
        .post('/contacts')
        .set('Authorization', `Bearer ${token}`)
        .send(ada);
      expectProblem(response, 401, /unauthorized$/);
      expect(response.body.detail).toMatch(/expired/);
    });

    it('forged token (another secret), wrong issuer, unsigned or garbage → 401', async () => {
      const forged = await sign(
        { team: 'sales', roles: ['admin'] },
        'another-secret-that-is-long-enough-for-hs256!!',
      );
      const wrongIssuer = await sign(
        { team: 'sales', roles: ['admin'] },
        TEST_JWT_SECRET,
        '1h',
        'someone-else',
      );
      const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"m","team":"t","roles":["admin"]}').toString('base64url')}.`;
      for (const token of [forged, wrongIssuer, unsigned, 'garbage']) {
        expectProblem(
          await request(service.server)
            .post('/contacts')
            .set('Authorization', `Bearer ${token}`)
            .send(ada),
          401,
          /unauthorized$/,
        );
      }
    });

    it('a token without roles or with unknown roles → 401', async () => {
      for (const roles of [[], ['superuser']]) {
        const token = await sign({ team: 'sales', roles }, TEST_JWT_SECRET);
        expectProblem(
          await request(service.server)
            .post('/contacts')
            .set('Authorization', `Bearer ${token}`)
            .send(ada),
          401,
          /unauthorized$/,
        );
      }
    });

    it('an analyst may read but not write → 403', async () => {
      const analyst = `Bearer ${await service.token(['analyst'])}`;
      await request(service.server).get('/contacts').set('Authorization', analyst).expect(200);
      const response = await request(service.server)
        .post('/contacts')
        .set('Authorization', analyst)
        .send(ada);
      expectProblem(response, 403, /forbidden$/);
    });
  });

  it('an unknown route → 404 problem', async () => {
    const response = await request(service.server).get('/nowhere').set('Authorization', rep);
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
