// A loopback TCP relay: each accepted connection is paired with one to `target`, and either
// side closing or failing drops both. The TLS front and the throttle are this relay with a
// different listener and a different way of moving the client's bytes upstream.
import net from 'node:net';
import tls from 'node:tls';

export interface Relay {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * Listens on a free 127.0.0.1 port with `server` (a net or tls server created without a
 * connection listener) and relays each connection to `target` (a URL with host and port).
 * `forward` moves client → upstream bytes; by default they are piped as they come.
 */
export async function startRelay(
  server: net.Server,
  target: string,
  forward: (client: net.Socket, upstream: net.Socket) => void = (client, upstream) => void client.pipe(upstream),
): Promise<Relay> {
  const to = new URL(target);
  const sockets = new Set<net.Socket>();
  let connections = 0;
  // A TLS server's plain 'connection' is the encrypted socket: relay what it decrypts.
  server.on(server instanceof tls.Server ? 'secureConnection' : 'connection', (client: net.Socket) => relay(client));
  function relay(client: net.Socket): void {
    connections++;
    const upstream = net.connect(Number(to.port), to.hostname);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.pipe(client);
    forward(client, upstream);
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return connections;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
