import { newEventId } from './event';

describe('new event ids', () => {
  it('given ids made one after the other, then each is a UUIDv7, none repeats, and they sort in the order they were made', () => {
    const ids = Array.from({ length: 1000 }, () => newEventId());

    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
