import { projectionKey } from '@crm/events';
import type { Connection } from 'mongoose';
import { rebuildNextTo, retire } from './blue-green';
import { MongoReadModelStore } from './mongo-read-model-store';
import { type Counter, CounterLog, counters, incremented } from './testing/counters';
import { describeWithMongo, TestDatabases } from './testing/mongo-test-database';

describeWithMongo('blue/green read models on MongoDB', (url) => {
  const databases = new TestDatabases(url);
  let connection: Connection;
  let readModels: MongoReadModelStore;
  let log: CounterLog;

  beforeEach(async () => {
    connection = await databases.connect();
    readModels = new MongoReadModelStore(connection);
    log = new CounterLog();
  });
  afterEach(async () => {
    await log.stopRunners();
    await connection.close();
    await databases.dropAll();
  });

  const v1Key = projectionKey(counters(1).projection);
  const v2Key = projectionKey(counters(2).projection);
  const ids = ['counter-a', 'counter-b', 'counter-c'];
  const all = (key: string) => readModels.find<Counter>(key, { limit: 100 });

  it('given v1 serving, when v2 is rebuilt next to it from position 0, then both hold the same documents and retiring v1 leaves v2 serving', async () => {
    await log.history();
    const v1 = log.runner(readModels, counters(1).projection);
    await v1.start();
    const v2 = log.runner(readModels, counters(2).projection);

    await rebuildNextTo(v2, log.events);
    const head = await log.append('counter-a', incremented(1));

    expect(await v1.waitFor(head)).toBe(true);
    expect(await v2.waitFor(head)).toBe(true);
    expect(await readModels.load(v2Key, ids)).toEqual(await readModels.load(v1Key, ids));
    expect(await all(v2Key)).toEqual(await all(v1Key));
    expect((await all(v2Key)).map((c) => c.count)).toEqual([6, 5]);
    expect(await connection.collection(`rm_${v2Key}`).countDocuments()).toBe(3);

    await retire(v1, readModels);

    expect(await all(v1Key)).toEqual([]);
    expect(await readModels.checkpoint(v1Key)).toBe(0);
    expect(await readModels.checkpoint(v2Key)).toBe(head);
    const later = await log.append('counter-b', incremented(1));
    expect(await v2.waitFor(later)).toBe(true);
    expect((await all(v2Key)).map((c) => c.count)).toEqual([6, 6]);
  });
});
