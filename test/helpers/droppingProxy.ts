import { connect, createServer, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a real server that misbehaves on purpose, to test what an upload
 * does when the network or the peer does (no mock: the real client and server talk through it). It
 * can cut connections after a number of bytes from the client, go silent there instead (a
 * blackholed route: nothing more is forwarded either way, not even a close), or hand the server's
 * bytes on one at a time (a peer that trickles its banner).
 */
export interface DroppingProxy {
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Connections cut so far. */
  dropped: number;
  /** Connections that went silent so far. */
  stalled: number;
  /** Bytes handed from the server to each client, by connection. */
  toClient: number[];
  close(): Promise<void>;
}

export interface DropPlan {
  /** Act once this many bytes have gone from the client to the server; 0 acts as soon as a client connects. */
  afterBytes: number;
  /** How many connections (the first ones) to act on; Infinity for all. */
  connections: number;
  /**
   * `cut` (the default) closes both sockets, a dropped connection. `stall` keeps both open and
   * forwards nothing more in either direction, ignoring the client's close as a dead route does,
   * until the proxy is closed.
   */
  action?: 'cut' | 'stall';
  /** Forward the server's bytes one at a time, this many milliseconds apart, on every connection. */
  trickleMs?: number;
}

export function startDroppingProxy(targetPort: number, plan: DropPlan): Promise<DroppingProxy> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const proxy: DroppingProxy = { port: 0, connections: 0, dropped: 0, stalled: 0, toClient: [], close: async () => undefined };
  const action = plan.action ?? 'cut';
  // allowHalfOpen: a client's FIN must not make node end our side on its own, or a stalled peer
  // would still answer a close.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const index = proxy.connections++;
    proxy.toClient[index] = 0;
    const upstream = connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
    sockets.add(client);
    sockets.add(upstream);
    const acts = index < plan.connections;
    let forwarded = 0;
    let silent = false;
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    const goSilent = () => {
      silent = true;
      proxy.stalled++;
    };
    if (acts && plan.afterBytes === 0 && action === 'stall') goSilent();

    client.on('data', (chunk: Buffer) => {
      if (silent) return;
      if (acts && forwarded + chunk.length > plan.afterBytes) {
        upstream.write(chunk.subarray(0, Math.max(0, plan.afterBytes - forwarded)));
        forwarded = plan.afterBytes;
        if (action === 'stall') return goSilent();
        proxy.dropped++;
        return end();
      }
      forwarded += chunk.length;
      upstream.write(chunk);
    });

    const queue: Buffer[] = [];
    let trickling: NodeJS.Timeout | undefined;
    const trickle = () => {
      if (silent || client.destroyed) return;
      const head = queue[0];
      if (head === undefined) return;
      client.write(head.subarray(0, 1));
      proxy.toClient[index]++;
      if (head.length > 1) queue[0] = head.subarray(1);
      else queue.shift();
      if (queue.length > 0) schedule();
    };
    const schedule = () => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        trickling = undefined;
        trickle();
      }, plan.trickleMs);
      trickling = timer;
      timers.add(timer);
    };
    upstream.on('data', (chunk: Buffer) => {
      if (silent) return;
      if (plan.trickleMs === undefined) {
        proxy.toClient[index] += chunk.length;
        client.write(chunk);
        return;
      }
      queue.push(chunk);
      if (trickling === undefined) schedule();
    });

    // A silent connection keeps both sockets until the proxy closes; otherwise a close on one side
    // closes the other.
    const closeUnlessSilent = () => {
      if (!silent) end();
    };
    client.on('end', closeUnlessSilent);
    upstream.on('end', closeUnlessSilent);
    client.on('close', closeUnlessSilent);
    upstream.on('close', closeUnlessSilent);
    client.on('error', closeUnlessSilent);
    upstream.on('error', closeUnlessSilent);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      proxy.port = typeof address === 'object' && address ? address.port : 0;
      proxy.close = () =>
        new Promise((done) => {
          for (const timer of timers) clearTimeout(timer);
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        });
      resolve(proxy);
    });
  });
}
