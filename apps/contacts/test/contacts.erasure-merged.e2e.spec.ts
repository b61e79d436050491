import { Projections } from '@crm/platform';
import { erasureSuite } from './erasure-suite';

// Erasure of parties that took part in merges: a survivor is erased with what it absorbed,
// and a party restored by an undo leaves nothing of itself with the survivor.

// Distributed mode on a shared machine: rebuilds through FerretDB take their time.
jest.setTimeout(30_000);

describe('contacts API: erasure of merged parties', () => {
  const e = erasureSuite();
  const s = e.suite;
  const {
    http,
    readText,
    register,
    write,
    erase,
    typesOf,
    keyOf,
    readModelsCaughtUp,
    historyPages,
    listPages,
    rawReadModelRows,
    rawLog,
  } = e;

  const merge = async (
    survivorId: string,
    absorbedId: string,
    prefer = 'survivor',
  ): Promise<string> =>
    (
      await http()
        .post('/merges')
        .set('Authorization', s.manager)
        .send({ survivorId, absorbedIds: [absorbedId], prefer })
        .expect(201)
    ).body.mergeId as string;
  const undo = (survivorId: string, mergeId: string) =>
    http()
      .post(`/contacts/${survivorId}/merges/${mergeId}/undo`)
      .set('Authorization', s.admin)
      .expect(200);
  const person = (name: string, primaryEmail: string) => ({
    kind: 'person',
    relationship: 'b2c',
    name,
    primaryEmail,
  });

  it('given B merged into A, when B alone is erased, then 422 naming A, and nothing is recorded', async () => {
    const a = await register(person('Mary Allen Wilkes', 'mary@linc.example'));
    const b = await register(person('M. A. Wilkes', 'wilkes@home.example'));
    await merge(a, b);
    const before = await typesOf(b);
    const response = await erase(b).expect(422);
    expect(response.body).toMatchObject({
      type: expect.stringMatching(/contact-merged$/),
      survivorId: a,
    });
    expect(await typesOf(b)).toEqual(before);
    expect(await keyOf(b)).not.toBeNull();
  });

  it('given B merged into A, when A is erased, then B is erased with it, and B\u2019s data copied into A is gone too', async () => {
    const a = await register(person('Adele Goldstine', 'adele@eniac.example'));
    const b = await register(person('A. Goldstine', 'goldstine@home.example'));
    const mergeId = await merge(a, b);
    expect(await readText(`/contacts/${a}/history`)).toContain('goldstine@home.example');
    await erase(a).expect(204);
    for (const id of [a, b]) {
      expect(await keyOf(id)).toBeNull();
      expect((await typesOf(id)).at(-1)).toBe('ContactErased');
      const text = [
        await readText(`/contacts/${id}`),
        await historyPages(id),
        await readText(`/contacts/${id}/export`, s.admin),
      ].join('\n');
      for (const secret of ['Goldstine', 'adele@eniac.example', 'goldstine@home.example']) {
        expect(text).not.toContain(secret);
      }
    }
    const exported = (await http().get(`/contacts/${b}/export`).set('Authorization', s.admin)).body;
    expect(exported.merges).toEqual([
      { mergeId, role: 'absorbed', otherIds: [a], recordedAt: expect.any(String), undone: false },
    ]);
    // Erasing B now finds it erased already: 204, nothing new.
    await erase(b).expect(204);
    expect((await typesOf(b)).filter((t) => t === 'ContactErased')).toHaveLength(1);
  });

  it('given a merge that was undone, when the restored party is erased, then only it is erased', async () => {
    const a = await register(person('Jean Bartik', 'jean@eniac.example'));
    const b = await register(person('Betty Jean Jennings', 'betty@home.example'));
    const mergeId = await merge(a, b);
    await undo(a, mergeId);
    await erase(b).expect(204);
    expect(await keyOf(b)).toBeNull();
    expect(await keyOf(a)).not.toBeNull();
    const survivor = await http().get(`/contacts/${a}`).set('Authorization', s.analyst).expect(200);
    expect(survivor.body).toMatchObject({ name: 'Jean Bartik', erased: false });
  });

  it.each(['survivor', 'absorbed'])(
    'given B merged into A (prefer %s) and the merge undone, when B is erased, then nothing of B is left with A, in any read path or after a rebuild',
    async (prefer) => {
      const ofB = {
        emails: ['kathleen.antonelli@home.example', 'kay.mcnulty@ballistics.example'],
        phone: '+1 202 555 0143',
      };
      // Each at least 8 characters (see SECRETS); the phone as stored and as searched.
      const secretsOfB = [...ofB.emails, '+12025550143', '2025550143', 'Kathleen McNulty'];
      const a = await register({
        ...person('Marlyn Wescoff', 'marlyn@eniac.example'),
        primaryPhone: '+1 202 555 0111',
      });
      const b = await register({
        ...person('Kathleen McNulty', ofB.emails[0]!),
        primaryPhone: ofB.phone,
      });
      await write('post', `/contacts/${b}/emails`, { email: ofB.emails[1], label: 'work' });
      const mergeId = await merge(a, b, prefer);
      // The merge did copy B's contact points into A (else the test below proves nothing).
      expect(await historyPages(a)).toContain(ofB.emails[1]);
      await undo(a, mergeId);
      await erase(b).expect(204);
      await readModelsCaughtUp();

      const leftOfB = async (): Promise<{ path: string; found: string[] }[]> => {
        const paths: [string, () => Promise<string>][] = [
          ['GET /contacts/{a}', () => readText(`/contacts/${a}`)],
          ['GET /contacts/{a}/history, every page', () => historyPages(a)],
          ['GET /contacts/{a}/export', () => readText(`/contacts/${a}/export`, s.admin)],
          ['GET /contacts/{a}/duplicates', () => readText(`/contacts/${a}/duplicates`)],
          ['GET /contacts?q=kathleen', () => listPages('q=kathleen&archived=any')],
          ['GET /contacts?q=2025550143', () => listPages('q=2025550143&archived=any')],
          ['GET /contacts?q=marlyn', () => listPages('q=marlyn&archived=any')],
          ['GET /exports/contacts.csv', () => readText('/exports/contacts.csv')],
          ['read-model tables/collections, raw', rawReadModelRows],
          ['event store, raw', rawLog],
        ];
        const results = [];
        for (const [path, read] of paths) {
          const text = (await read()).toLowerCase();
          results.push({ path, found: secretsOfB.filter((s) => text.includes(s.toLowerCase())) });
        }
        return results;
      };
      const nothing = (results: { path: string; found: string[] }[]) =>
        results.filter((r) => r.found.length > 0);

      expect(nothing(await leftOfB())).toEqual([]);
      const survivor = await http()
        .get(`/contacts/${a}`)
        .set('Authorization', s.analyst)
        .expect(200);
      expect(survivor.body).toMatchObject({
        name: 'Marlyn Wescoff',
        primaryEmail: 'marlyn@eniac.example',
        primaryPhone: '+12025550111',
        erased: false,
      });

      await s.service.app.get(Projections).rebuildAll();
      await readModelsCaughtUp();
      expect(nothing(await leftOfB())).toEqual([]);
    },
  );
});
