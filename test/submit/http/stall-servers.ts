// Servers that misbehave in time, for the timeout tests: one accepts connections and never
// answers a byte; one answers correctly but trickles its reply slowly and steadily (each
// gap far shorter than the idle timeout under test, the whole reply far longer).
import http from 'node:http';
import net from 'node:net';

export interface StallServer {
  url: string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Accepts TCP connections, reads and drops what arrives, never writes. */
export async function startHungServer(): Promise<StallServer> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((s) => {
    count++;
    sockets.add(s);
    s.on('data', () => undefined).on('error', () => undefined).on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => count,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * Answers every request (after reading its body) with `reply(req)` as JSON, cut into
 * `pieces` parts sent `gapMs` apart: headers at once, then the body trickling.
 */
export async function startTrickleServer(reply: (req: http.IncomingMessage) => unknown, opts: { pieces: number; gapMs: number }): Promise<StallServer> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = Buffer.from(JSON.stringify(reply(req)));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      res.flushHeaders();
      const size = Math.ceil(body.length / opts.pieces);
      let off = 0;
      const step = () => {
        if (res.destroyed) return;
        const piece = body.subarray(off, off + size);
        off += piece.length;
        if (off >= body.length) return void res.end(piece);
        res.write(piece);
        setTimeout(step, opts.gapMs);
      };
      setTimeout(step, opts.gapMs);
    });
  });
  server.on('connection', (s) => {
    count++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => count,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
