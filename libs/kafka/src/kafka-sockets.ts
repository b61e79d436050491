import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { type ConnectionOptions, connect as connectTls } from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

/** As kafkajs' own factory: TCP keep-alive after a minute idle. */
const KEEP_ALIVE_DELAY_MS = 60_000;

/**
 * Opens a client's broker connections and remembers them until they close, so that
 * stopping the client can close what kafkajs forgot. kafkajs 2.2.4 leaks one: after a
 * broker restart the consumer keeps heartbeating through a coordinator object that is no
 * longer in its broker pool, and `disconnect()` leaves that connection open, together
 * with its request queue's 1 ms timer loop (kafkajs#1704). The process then cannot exit
 * until the broker drops the idle connection (10 minutes by default).
 */
export class SocketTracker {
  private readonly open = new Set<Socket>();

  readonly factory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    // kafkajs types `ssl` as always set; it is undefined on plain connections.
    const tls = ssl as ConnectionOptions | undefined;
    const socket = tls
      ? connectTls({ host, port, ...(isIP(host) ? {} : { servername: host }), ...tls }, onConnect)
      : connectTcp({ host, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    return socket;
  };

  get size(): number {
    return this.open.size;
  }

  /** Closes every connection still open; call after the client's own disconnect. */
  destroyAll(): void {
    for (const socket of this.open) {
      // As if the broker had closed it: the one path on which a kafkajs connection tears
      // itself down completely (pending requests rejected, timers cleared).
      socket.emit('end');
      socket.destroy();
    }
    this.open.clear();
  }
}
