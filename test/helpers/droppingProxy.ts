import { connect, createServer, type Socket } from 'node:net';

/**
 * A loopback TCP proxy that cuts connections after a number of bytes from the client, to test what
 * an upload does when the network drops mid-transfer (no mock: the real client and server talk
 * through it).
 */
export interface DroppingProxy {
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Connections cut so far. */
  dropped: number;
  close(): Promise<void>;
}

export interface DropPlan {
  /** Cut a connection once this many bytes have gone from the client to the server. */
  afterBytes: number;
  /** How many connections (the first ones) to cut; Infinity for all. */
  connections: number;
}

export function startDroppingProxy(targetPort: number, plan: DropPlan): Promise<DroppingProxy> {
  const sockets = new Set<Socket>();
  const proxy: DroppingProxy = { port: 0, connections: 0, dropped: 0, close: async () => undefined };
  const server = createServer((client) => {
    const index = proxy.connections++;
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const cut = index < plan.connections;
    let forwarded = 0;
    client.on('data', (chunk: Buffer) => {
      if (cut && forwarded + chunk.length > plan.afterBytes) {
        upstream.write(chunk.subarray(0, Math.max(0, plan.afterBytes - forwarded)));
        proxy.dropped++;
        client.destroy();
        upstream.destroy();
        return;
      }
      forwarded += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      proxy.port = typeof address === 'object' && address ? address.port : 0;
      proxy.close = () =>
        new Promise((done) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        });
      resolve(proxy);
    });
  });
}
