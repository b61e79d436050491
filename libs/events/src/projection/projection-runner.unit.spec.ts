import { eventually } from '../testing/eventually';
import {
  HeldCheckpointReadModelStore,
  RecordingReadModelStore,
  RunnerWorld,
  created,
  renamed,
  statsProjection,
  tagged,
  type ThingDoc,
  thingsProjection,
} from './projection-runner.fixtures';

describe('projection runner', () => {
  let world: RunnerWorld;
  beforeEach(() => {
    world = new RunnerWorld();
  });
  afterEach(() => world.stop());

  it('given events already stored, when started, then it folds them and then folds new events live', async () => {
    await world.append('thing-1', created('Anvil'));
    await world.append('thing-2', created('Hammer'));
    const head = await world.append('thing-1', renamed('Big anvil'));
    const things1 = world.runner(thingsProjection().projection);

    await things1.start();

    expect(await things1.waitFor(head)).toBe(true);
    expect(await world.things()).toEqual([
      { thingId: 'thing-1', name: 'Big anvil', renames: 1 },
      { thingId: 'thing-2', name: 'Hammer', renames: 0 },
    ]);

    await world.append('thing-2', renamed('Sledgehammer'));
    await world.append('thing-3', created('Tongs'));

    await eventually(async () => {
      expect(await world.things()).toEqual([
        { thingId: 'thing-1', name: 'Big anvil', renames: 1 },
        { thingId: 'thing-2', name: 'Sledgehammer', renames: 1 },
        { thingId: 'thing-3', name: 'Tongs', renames: 0 },
      ]);
    });
  });

  it('given events folded, then each document keeps the position of the last event applied to it and the checkpoint is the last position', async () => {
    const thing1At = await world.append('thing-1', created('Anvil'), renamed('Big anvil'));
    const thing2At = await world.append('thing-2', created('Hammer'));
    const things1 = world.runner(thingsProjection().projection);
    await things1.start();

    expect(await things1.waitFor(thing2At)).toBe(true);

    const stored = await world.readModels.load<ThingDoc>('things_v1', ['thing-1', 'thing-2']);
    expect(stored.get('thing-1')?.position).toBe(thing1At);
    expect(stored.get('thing-2')?.position).toBe(thing2At);
    expect(await world.readModels.checkpoint('things_v1')).toBe(thing2At);
    expect(things1.position).toBe(thing2At);
  });

  it('given runners restarted on the same read-model world.store, then they resume after their checkpoints and apply no old event again', async () => {
    const before = await world.append('thing-1', created('Anvil'), renamed('Big anvil'));
    const things1 = world.runner(thingsProjection().projection);
    const stats1 = world.runner(statsProjection);
    await Promise.all([things1.start(), stats1.start()]);
    expect(await things1.waitFor(before)).toBe(true);
    expect(await stats1.waitFor(before)).toBe(true);
    await Promise.all([things1.stop(), stats1.stop()]);
    await world.append('thing-2', created('Hammer'));
    const after = await world.append('thing-1', renamed('Huge anvil'));

    const { projection, evolved } = thingsProjection();
    const things2 = world.runner(projection);
    const stats2 = world.runner(statsProjection);
    world.store.delivered.splice(0);
    await Promise.all([things2.start(), stats2.start()]);

    expect(await things2.waitFor(after)).toBe(true);
    expect(await stats2.waitFor(after)).toBe(true);
    expect(new Set(world.store.delivered)).toEqual(new Set([after - 1, after]));
    expect(evolved).toEqual([after - 1, after]);
    expect(await world.things()).toEqual([
      { thingId: 'thing-1', name: 'Huge anvil', renames: 2 },
      { thingId: 'thing-2', name: 'Hammer', renames: 0 },
    ]);
    expect(world.readModels.documents('thing_stats_v1')).toEqual([{ created: 2, renamed: 2 }]);
  });

  it('given a read model that drifted from the log, when rebuilt, then the documents equal those of the incremental run', async () => {
    await world.append('thing-1', created('Anvil'));
    await world.append('thing-2', created('Hammer'));
    const things1 = world.runner(thingsProjection().projection);
    await things1.start();
    await world.append('thing-1', renamed('Big anvil'));
    await world.append('thing-3', created('Tongs'));
    const head = await world.append('thing-2', renamed('Sledgehammer'));
    expect(await things1.waitFor(head)).toBe(true);
    const incremental = await world.readModels.load('things_v1', ['thing-1', 'thing-2', 'thing-3']);
    await world.readModels.commit(
      'things_v1',
      [
        {
          id: 'thing-1',
          doc: { thingId: 'thing-1', name: 'corrupted', renames: 99 },
          position: head,
        },
        { id: 'ghost', doc: { thingId: 'ghost', name: 'Ghost', renames: 0 }, position: head },
      ],
      head,
    );

    await things1.rebuild();

    expect(await things1.waitFor(head)).toBe(true);
    expect(
      await world.readModels.load('things_v1', ['thing-1', 'thing-2', 'thing-3', 'ghost']),
    ).toEqual(incremental);
  });

  it('given a subject erased after its events were projected, when rebuilt, then its personal fields are null', async () => {
    await world.append('thing-1', created('Zoë'));
    const head = await world.append('thing-2', created('Hammer'));
    const things1 = world.runner(thingsProjection().projection);
    await things1.start();
    expect(await things1.waitFor(head)).toBe(true);

    await world.keys.destroy('thing-1');
    world.codec.forget('thing-1');
    await things1.rebuild();

    expect(await things1.waitFor(head)).toBe(true);
    expect(await world.things()).toEqual([
      { thingId: 'thing-1', name: null, renames: 0 },
      { thingId: 'thing-2', name: 'Hammer', renames: 0 },
    ]);
  });

  it('given events of types the projection does not handle, then they are skipped (never decoded) and the checkpoint still moves past them', async () => {
    const handledAt = await world.append('thing-1', created('Anvil'));
    // ThingTagged has no contract: decoding it would throw.
    const head = await world.append('thing-1', tagged('heavy'), tagged('iron'), tagged('black'));
    const errors: unknown[] = [];
    const things1 = world.runner(thingsProjection().projection, {
      onError: (error) => errors.push(error),
    });

    await things1.start();

    expect(await things1.waitFor(head)).toBe(true);
    expect(await world.readModels.checkpoint('things_v1')).toBe(head);
    const stored = (await world.readModels.load('things_v1', ['thing-1'])).get('thing-1');
    expect(stored?.position).toBe(handledAt);
    expect(await world.codec.reveal([stored?.doc])).toEqual([
      { thingId: 'thing-1', name: 'Anvil', renames: 0 },
    ]);
    expect(errors).toEqual([]);
  });

  it('given evolve fails once, then the runner reports the error, retries the batch and ends up consistent', async () => {
    await world.append('thing-1', created('Anvil'));
    await world.append('thing-1', renamed('Flaky'));
    const head = await world.append('thing-1', renamed('Big anvil'));
    const reported: [unknown, string][] = [];
    const things1 = world.runner(thingsProjection({ failOnceOnName: 'Flaky' }).projection, {
      onError: (error, projection) => reported.push([error, projection]),
    });

    await things1.start();

    expect(await things1.waitFor(head)).toBe(true);
    expect(reported).toEqual([[new Error('cannot fold Flaky yet'), 'things_v1']]);
    expect(await world.things()).toEqual([{ thingId: 'thing-1', name: 'Big anvil', renames: 2 }]);
    expect(await world.readModels.checkpoint('things_v1')).toBe(head);
  });

  it('given a read-model world.store that refuses to prepare the read model twice, when started, then it reports both, tries again and folds the log', async () => {
    const head = await world.append('thing-1', created('Anvil'));
    const ensure = world.readModels.ensure.bind(world.readModels);
    let refusals = 2;
    world.readModels.ensure = (definition) =>
      refusals-- > 0 ? Promise.reject(new Error('index already exists')) : ensure(definition);
    const reported: [unknown, string][] = [];
    const things1 = world.runner(thingsProjection().projection, {
      onError: (error, projection) => reported.push([error, projection]),
    });

    await things1.start();

    expect(await things1.waitFor(head)).toBe(true);
    expect(reported).toEqual([
      [new Error('index already exists'), 'things_v1'],
      [new Error('index already exists'), 'things_v1'],
    ]);
    expect(await world.things()).toEqual([{ thingId: 'thing-1', name: 'Anvil', renames: 0 }]);
  });

  it('given a read-model world.store that keeps refusing, when started, then the start fails with its error', async () => {
    world.readModels.ensure = () => Promise.reject(new Error('unreachable'));
    const things1 = world.runner(thingsProjection().projection);

    await expect(things1.start()).rejects.toThrow('unreachable');
  });

  it('given a position, then waitFor resolves true once it is reached and false when it is not reached in time', async () => {
    const things1 = world.runner(thingsProjection().projection);
    await things1.start();
    const head = await world.store.headPosition();

    const reached = things1.waitFor(head + 1, 2000);
    await world.append('thing-1', created('Anvil'));

    expect(await reached).toBe(true);
    expect(await things1.waitFor(head + 1)).toBe(true);
    expect(await things1.waitFor(head + 2, 50)).toBe(false);
  });

  it('given a batch delay and more than one event since the last commit, then events appended while it waits after the commit fold in one commit', async () => {
    const recording = new RecordingReadModelStore();
    world.readModels = recording;
    const things1 = world.runner(thingsProjection().projection, {
      batchSize: 100,
      batchDelayMs: 200,
    });
    await things1.start();

    const first = await world.append('thing-1', created('Anvil'), renamed('Big anvil'));
    expect(await things1.waitFor(first)).toBe(true);
    await world.append('thing-2', created('Hammer'));
    await world.append('thing-3', created('Tongs'));
    const last = await world.append('thing-4', created('Vice'));
    expect(await things1.waitFor(last)).toBe(true);

    expect(recording.commits.map((commit) => commit.ids)).toEqual([
      ['thing-1'],
      ['thing-2', 'thing-3', 'thing-4'],
    ]);
  });

  it('given a batch delay and one event at a time, then each is folded and committed without waiting', async () => {
    const recording = new RecordingReadModelStore();
    world.readModels = recording;
    const things1 = world.runner(thingsProjection().projection, {
      batchSize: 100,
      batchDelayMs: 60_000,
    });
    await things1.start();

    const first = await world.append('thing-1', created('Anvil'));
    expect(await things1.waitFor(first, 1000)).toBe(true);
    const second = await world.append('thing-2', created('Hammer'));

    expect(await things1.waitFor(second, 1000)).toBe(true);
    expect(recording.commits.map((commit) => commit.ids)).toEqual([['thing-1'], ['thing-2']]);
  });

  it('given onProgress, then it is told the checkpoint at start and after each commit', async () => {
    const before = await world.append('thing-1', created('Anvil'));
    const progress: number[] = [];
    const things1 = world.runner(thingsProjection().projection, {
      onProgress: (position) => progress.push(position),
    });
    await things1.start();
    expect(await things1.waitFor(before)).toBe(true);
    const after = await world.append('thing-2', created('Hammer'));
    expect(await things1.waitFor(after)).toBe(true);

    expect(progress[0]).toBe(0);
    expect(progress).toContain(before);
    expect(progress.at(-1)).toBe(after);
  });

  it('given a retry is reading the checkpoint, when the runner is stopped, then it stays stopped', async () => {
    const held = new HeldCheckpointReadModelStore();
    world.readModels = held;
    const things1 = world.runner(thingsProjection({ failOnceOnName: 'Flaky' }).projection);
    await things1.start();
    held.holding = true;
    await world.append('thing-1', created('Flaky'));
    await eventually(() => {
      expect(held.heldReads).toBe(1);
    });

    await things1.stop();
    held.release();
    const later = await world.append('thing-2', created('Anvil'));

    expect(await things1.waitFor(later, 200)).toBe(false);
    expect(await world.things()).toEqual([]);
  });

  it('given a read model already past a position, when waitFor is called before start, then it resolves true', async () => {
    const head = await world.append('thing-1', created('Anvil'));
    const first = world.runner(thingsProjection().projection);
    await first.start();
    expect(await first.waitFor(head)).toBe(true);
    await first.stop();

    const restarted = world.runner(thingsProjection().projection);
    const reached = restarted.waitFor(head, 500);
    await restarted.start();

    expect(await reached).toBe(true);
  });
});
