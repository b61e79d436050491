import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreContract } from '@crm/events/testing';
import { SqliteEventStore } from './sqlite-event-store';

let file = '';

eventStoreContract('SQLite', {
  create() {
    file = join(mkdtempSync(join(tmpdir(), 'crm-events-')), 'events.db');
    return Promise.resolve(new SqliteEventStore(file, { pollIntervalMs: 50 }));
  },
  reopen() {
    return Promise.resolve(new SqliteEventStore(file, { pollIntervalMs: 50 }));
  },
  spawnWriter() {
    const tsx = require.resolve('tsx/cli');
    return spawn(process.execPath, [tsx, join(__dirname, '../test/append-writer.ts'), file], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
  },
});
