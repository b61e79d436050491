import { PendingDocuments } from './pending-documents';

/** A document changed by the event at `position`. */
const changed = (id: string, position: number) => ({ id, doc: { id, position }, position });

describe('pending documents', () => {
  function given(...changes: [id: string, position: number][]): PendingDocuments<unknown> {
    const pending = new PendingDocuments<unknown>();
    for (const [id, position] of changes) {
      pending.set(changed(id, position));
      pending.position = position;
    }
    return pending;
  }

  it('given nothing kept, then all is taken with the last position folded', () => {
    const pending = given(['a', 1], ['b', 2], ['a', 3]);

    const { changes, checkpoint } = pending.take(0);

    expect([...changes.values()]).toEqual([changed('a', 3), changed('b', 2)]);
    expect(checkpoint).toBe(3);
    expect(pending.size).toBe(0);
  });

  it('given documents kept, then they are the most recently changed and the checkpoint stops before the first change of any of them', () => {
    const pending = given(['a', 1], ['b', 2], ['c', 3], ['b', 4], ['d', 5]);

    const { changes, checkpoint } = pending.take(2);

    expect([...changes.keys()]).toEqual(['a', 'c']);
    // b was first changed at 2 and is kept: events from 2 on are not all stored yet.
    expect(checkpoint).toBe(1);
    expect([pending.get('b'), pending.get('d')]).toEqual([changed('b', 4), changed('d', 5)]);
  });

  it('given a document kept at one take, then the next take commits it, so the checkpoint reaches the position of the take before', () => {
    const pending = given(['a', 1], ['b', 2]);
    pending.take(1);
    pending.set(changed('c', 3));
    pending.set(changed('b', 4));
    pending.position = 4;

    const { changes, checkpoint } = pending.take(1);

    expect([...changes.keys()]).toEqual(['b']);
    expect(checkpoint).toBe(2);
    expect(pending.get('c')).toEqual(changed('c', 3));
  });

  it('given the entry of a pending document, when it is set through it, then the document changes and keeps the position of its first change', () => {
    const pending = given(['a', 1], ['b', 2]);
    const entry = pending.entry('a');

    pending.set(changed('a', 3), entry);
    pending.position = 3;

    expect(entry?.doc).toEqual(changed('a', 3));
    expect(pending.take(1).checkpoint).toBe(0);
    expect(pending.get('a')).toEqual(changed('a', 3));
  });
});
