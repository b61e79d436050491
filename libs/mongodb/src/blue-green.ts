import type { EventStore, ProjectionRunner, ReadModelStore } from '@crm/events';

/** Whatever the runner's document and event types: only these members are used. */
type Runner = Pick<ProjectionRunner<unknown>, 'key' | 'start' | 'stop' | 'waitFor'>;

/*
 * Blue/green read models. A projection's version is part of its key (`<name>_v<version>`),
 * and each key has its own collection and checkpoint, so a new version is simply another
 * read model: its runner folds the log from position 0 next to the old one, which keeps
 * serving. The switch is which key the queries read (`projectionKey(v2)`), made once the
 * new version has caught up; then the old runner is stopped and its storage dropped.
 * Nothing here needs the store to be MongoDB: it only uses the ports.
 */

/**
 * Starts `candidate` (a new projection version) and resolves once it has applied the log
 * up to the head as of this call; rejects if it does not get there within `timeoutMs`.
 */
export async function rebuildNextTo(
  candidate: Runner,
  events: EventStore,
  timeoutMs = 60_000,
): Promise<void> {
  const head = await events.headPosition();
  await candidate.start();
  if (!(await candidate.waitFor(head, timeoutMs))) {
    throw new Error(`${candidate.key} did not catch up to position ${head} in ${timeoutMs} ms`);
  }
}

/** After the switch: stops the old version and drops its documents and checkpoint. */
export async function retire(previous: Runner, readModels: ReadModelStore): Promise<void> {
  await previous.stop();
  await readModels.reset(previous.key);
}
