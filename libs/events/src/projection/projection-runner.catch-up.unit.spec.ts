import { eventually } from '../testing/eventually';
import { InMemoryReadModelStore } from './in-memory-read-model-store';
import {
  RecordingReadModelStore,
  RunnerWorld,
  created,
  renamed,
  thingsProjection,
} from './projection-runner.fixtures';

describe('projection runner while catching up', () => {
  let world: RunnerWorld;
  beforeEach(() => {
    world = new RunnerWorld();
  });
  afterEach(() => world.stop());

  /** Appends one event per thing name: created on first sight, renamed after. */
  async function appendThings(...names: string[]): Promise<number> {
    const seen = new Set<string>();
    let head = 0;
    for (const name of names) {
      const streamId = `thing-${name.split(' ')[0] ?? name}`;
      head = await world.append(streamId, seen.has(streamId) ? renamed(name) : created(name));
      seen.add(streamId);
    }
    return head;
  }

  /** A recording store that a runner folded `names` into and stopped. */
  async function foldedThenStopped(...names: string[]): Promise<RecordingReadModelStore> {
    const recording = new RecordingReadModelStore();
    world.readModels = recording;
    const before = await appendThings(...names);
    const first = world.runner(thingsProjection().projection);
    await first.start();
    expect(await first.waitFor(before)).toBe(true);
    await first.stop();
    return recording;
  }

  it('given a rebuild from position 0, then it loads only documents it has written since; resumed from a checkpoint, it loads any document not in memory', async () => {
    const recording = new RecordingReadModelStore();
    world.readModels = recording;
    // One event per batch and commit, and nothing kept past a commit.
    const options = { batchSize: 1, maxPendingDocuments: 1 };
    const head = await appendThings('1', '2', '3', '1 renamed');
    const things1 = world.runner(thingsProjection().projection, options);

    await things1.start();

    expect(await things1.waitFor(head)).toBe(true);
    expect(recording.loads).toEqual([['thing-1']]);
    await things1.stop();
    recording.loads.splice(0);
    const later = await appendThings('4');
    const things2 = world.runner(thingsProjection().projection, options);
    await things2.start();
    expect(await things2.waitFor(later)).toBe(true);
    expect(recording.loads).toEqual([['thing-4']]);
    expect((await world.things()).map((thing) => thing.name)).toEqual(['1 renamed', '2', '3', '4']);
  });

  it('given a batch whose later events need stored documents, then the earlier ones fold from memory and the rest load what they need at once, in order', async () => {
    const recording = await foldedThenStopped('1', '2');
    recording.loads.splice(0);
    const after = await appendThings(
      '1 renamed',
      '1 again',
      '1 third',
      '1 fourth',
      '2 renamed',
      '1 fifth',
    );

    const { projection, evolved } = thingsProjection();
    const resumed = world.runner(projection, { batchSize: 3 });
    await resumed.start();

    expect(await resumed.waitFor(after)).toBe(true);
    expect(recording.loads).toEqual([['thing-1'], ['thing-2']]);
    expect(evolved).toEqual([3, 4, 5, 6, 7, 8]);
    expect((await world.things()).map((thing) => thing.name)).toEqual(['1 fifth', '2 renamed']);
  });

  it('given documents kept but the checkpoint lost, when started, then it loads them and applies no event twice', async () => {
    const recording = await foldedThenStopped('1', '2');
    await recording.commit('things_v1', [], 0);
    recording.loads.splice(0);
    const after = await appendThings('1 renamed');

    const { projection, evolved } = thingsProjection();
    const restarted = world.runner(projection);
    await restarted.start();

    expect(await restarted.waitFor(after)).toBe(true);
    expect(new Set(recording.loads.flat())).toEqual(new Set(['thing-1', 'thing-2']));
    expect(evolved).toEqual([after]);
    expect((await world.things()).map((thing) => thing.name)).toEqual(['1 renamed', '2']);
  });

  it('given a commit in flight, then the next batches are folded meanwhile and the position moves once it has landed', async () => {
    const recording = new RecordingReadModelStore();
    world.readModels = recording;
    recording.holding = true;
    const head = await appendThings('1', '2', '3', '4', '5', '6');
    const { projection, evolved } = thingsProjection();
    const things1 = world.runner(projection, { batchSize: 2, maxPendingDocuments: 2 });

    await things1.start();

    await eventually(() => {
      expect(evolved).toEqual([1, 2, 3, 4]);
    });
    expect(recording.commits).toEqual([
      { ids: ['thing-1', 'thing-2'], checkpoint: 2, catchingUp: true },
    ]);
    expect(things1.position).toBe(0);
    recording.release();
    expect(await things1.waitFor(head)).toBe(true);
    expect(recording.commits.at(-1)?.catchingUp).toBe(false);
    expect(await world.things()).toHaveLength(6);
  });

  it('given a commit in flight, then a document of it changed again folds from memory', async () => {
    const recording = new RecordingReadModelStore();
    world.readModels = recording;
    recording.holding = true;
    const head = await appendThings('1', '2', '1 renamed');
    const { projection, evolved } = thingsProjection();
    // Two pending documents make a commit, and none stays pending past it.
    const things1 = world.runner(projection, { batchSize: 1, maxPendingDocuments: 2 });

    await things1.start();

    await eventually(() => {
      expect(evolved).toEqual([1, 2, 3]);
    });
    expect(recording.loads).toEqual([]);
    recording.release();
    expect(await things1.waitFor(head)).toBe(true);
    expect((await world.things()).map((thing) => thing.name)).toEqual(['1 renamed', '2']);
  });

  it('given a commit that has landed, then a document of it changed again before the next commit is loaded from the store, not kept in memory', async () => {
    const recording = new RecordingReadModelStore();
    world.readModels = recording;
    // thing-1 and thing-2 are committed; the runner yields after folding thing-3, and the
    // commit lands meanwhile.
    const head = await appendThings('1', '2', '3', '1 renamed');
    const things1 = world.runner(thingsProjection().projection, {
      batchSize: 1,
      maxPendingDocuments: 2,
    });

    await things1.start();

    expect(await things1.waitFor(head)).toBe(true);
    expect(recording.loads).toEqual([['thing-1']]);
    expect((await world.things()).map((thing) => thing.name)).toEqual(['1 renamed', '2', '3']);
  });

  it('given a commit that fails in flight, then the runner reports it, folds again from the stored checkpoint and ends up consistent', async () => {
    const recording = new RecordingReadModelStore();
    world.readModels = recording;
    const failure = new Error('disk full');
    recording.failNext = failure;
    const head = await appendThings('1', '2', '3', '2 renamed', '5', '6');
    const reported: unknown[] = [];
    const things1 = world.runner(thingsProjection().projection, {
      batchSize: 2,
      maxPendingDocuments: 2,
      onError: (error) => reported.push(error),
    });

    await things1.start();

    expect(await things1.waitFor(head)).toBe(true);
    expect(reported).toEqual([failure]);
    expect((await world.things()).map((thing) => thing.name)).toEqual([
      '1',
      '2 renamed',
      '3',
      '5',
      '6',
    ]);
    expect(await world.readModels.checkpoint('things_v1')).toBe(head);
  });

  it('given the most recently changed document at a commit, then it stays in memory, the checkpoint stops before its first unstored event, and a restart from that commit ends up the same', async () => {
    const recording = new RecordingReadModelStore();
    world.readModels = recording;
    // Four pending documents make a commit; a quarter of that (one) may stay in memory.
    const options = { batchSize: 2, maxPendingDocuments: 4 };
    const head = await appendThings('1', '2', '4', '3', '2 renamed', '4 renamed');
    const things1 = world.runner(thingsProjection().projection, options);
    await things1.start();
    expect(await things1.waitFor(head)).toBe(true);
    const rebuilt = await world.things();

    // thing-3, created at position 4, was the last one changed: kept, so stored up to 3.
    expect(recording.commits[0]).toEqual({
      ids: ['thing-1', 'thing-2', 'thing-4'],
      checkpoint: 3,
      catchingUp: true,
    });
    expect(recording.commits.flatMap((commit) => commit.ids)).toEqual([
      'thing-1',
      'thing-2',
      'thing-4',
      'thing-3',
      'thing-2',
      'thing-4',
    ]);
    const crashed = recording.afterFirstCommit;
    world.readModels = new InMemoryReadModelStore();
    await world.readModels.ensure({ key: 'things_v1', indexes: [] });
    await world.readModels.commit('things_v1', crashed?.docs ?? [], crashed?.checkpoint ?? 0);
    const restarted = world.runner(thingsProjection().projection, options);
    await restarted.start();
    expect(await restarted.waitFor(head)).toBe(true);
    expect(await world.things()).toEqual(rebuilt);
  });
});
