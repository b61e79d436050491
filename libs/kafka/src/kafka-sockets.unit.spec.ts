import { createServer, type Server, type Socket } from 'node:net';
import { eventually } from '@crm/events/testing';
import { SocketTracker } from './kafka-sockets';

describe('socket tracker', () => {
  let server: Server;
  let port = 0;
  const accepted: Socket[] = [];

  beforeAll(async () => {
    server = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const open = (tracker: SocketTracker) =>
    new Promise<Socket>((resolve) => {
      const socket = tracker.factory({
        host: '127.0.0.1',
        port,
        ssl: undefined as never,
        onConnect: () => resolve(socket),
      });
    });

  it('given connections a client forgot to close, when destroyed, then none is left open', async () => {
    const tracker = new SocketTracker();
    const sockets = [await open(tracker), await open(tracker)];
    expect(tracker.size).toBe(2);

    tracker.destroyAll();

    expect(sockets.map((s) => s.destroyed)).toEqual([true, true]);
    expect(tracker.size).toBe(0);
  });

  it('given a connection the client closed itself, then it is no longer tracked', async () => {
    const tracker = new SocketTracker();
    const socket = await open(tracker);

    socket.end();

    await eventually(() => expect(tracker.size).toBe(0));
  });
});
