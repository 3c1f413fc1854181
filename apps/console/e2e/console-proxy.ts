import { createServer, request, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/** The console's one origin in the production shape: a reverse proxy before two services. */
export interface ConsoleProxy {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Commands go to the ingestor, everything else to the query API: writes under
 * `/v1/customers/:id/…` and `/v1/ideas…` (docs/console.md, "In production").
 */
export function isCommand(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD') return false;
  return /^\/v1\/customers\/[^/]+\//.test(path) || path.startsWith('/v1/ideas');
}

export async function startConsoleProxy(ingestor: string, queryApi: string): Promise<ConsoleProxy> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const target = new URL(
      req.url ?? '/',
      isCommand(req.method ?? 'GET', path) ? ingestor : queryApi,
    );
    const upstream = request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
