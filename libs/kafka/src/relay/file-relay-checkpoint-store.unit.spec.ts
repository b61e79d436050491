import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileRelayCheckpointStore } from './file-relay-checkpoint-store';

describe('file relay checkpoint store', () => {
  let folder: string;
  let file: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'crm-relay-'));
    file = join(folder, 'nested', 'checkpoints.json');
  });

  it('given no file yet, then every relay is at 0', async () => {
    expect(await new FileRelayCheckpointStore(file).load('contacts')).toBe(0);
  });

  it('given saved positions, then a new instance (a restarted process) reads them back', async () => {
    const store = new FileRelayCheckpointStore(file);
    await store.save('contacts', 7);
    await store.save('activities', 3);
    await store.save('contacts', 9);

    const reopened = new FileRelayCheckpointStore(file);
    expect(await reopened.load('contacts')).toBe(9);
    expect(await reopened.load('activities')).toBe(3);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ contacts: 9, activities: 3 });
  });

  it('given concurrent saves, then the last one called wins and no temporary file is left', async () => {
    const store = new FileRelayCheckpointStore(file);

    await Promise.all([1, 2, 3, 4, 5].map((position) => store.save('contacts', position)));

    expect(await new FileRelayCheckpointStore(file).load('contacts')).toBe(5);
    expect(readdirSync(join(folder, 'nested'))).toEqual(['checkpoints.json']);
  });
});
