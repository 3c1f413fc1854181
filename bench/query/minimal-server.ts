/**
 * The baseline of `bench:query`: a bare `node:http` server answering the query API's reads
 * with the same read-model calls on the same Redis (the timeline's page with its customer
 * resolved, the profile with its names and ideas, the top 100 by closeness; the identities revealed as the API reveals
 * them) and nothing else — no framework, no access check, no validation, no audit. Started
 * as its own process by the benchmark; prints `listening on <url>` when ready.
 */
import { createServer, type ServerResponse } from 'node:http';
import { identityKey } from '@rapport/domain';
import { ClosenessQueries, openReadModels } from '@rapport/read-models';
import { revealIdentities } from '../../libs/api/src/platform/reveal-identities';

const readModels = openReadModels(process.env.RAPPORT_READ_MODELS ?? '');
const closeness = new ClosenessQueries(readModels.closeness);

async function answer(path: string, query: URLSearchParams): Promise<unknown> {
  const [, route, id] = path.split('/');
  if (route === 'timeline') {
    const type = query.get('type');
    const [resolved, page] = await Promise.all([
      readModels.timeline.resolveCustomer(id),
      readModels.timeline.page(id, { limit: 50, ...(type ? { types: [type] } : {}) }),
    ]);
    return { customerId: resolved ?? id, ...page };
  }
  if (route === 'profile') {
    // The reads the API's profile makes: the profile, then its identities' names and the
    // ideas of every id merged into it, together.
    const profile = await readModels.timeline.profile(id);
    if (!profile) return undefined;
    const [names, ideas] = await Promise.all([
      readModels.timeline.namesOf(profile.identities.map(identityKey)),
      Promise.all(
        [profile.customerId, ...profile.mergedCustomers].map((customerId) =>
          readModels.ideas.model.ideasOfCustomer(customerId),
        ),
      ),
    ]);
    return { ...profile, names: [...names.values()], ideas: ideas.flat() };
  }
  if (route === 'top') return { items: (await closeness.topNow(100, Date.now())).items };
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(json);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  answer(url.pathname, url.searchParams)
    .then(async (body) =>
      body === undefined || body === null
        ? send(res, 404, { title: 'Not Found' })
        : send(res, 200, await revealIdentities(body, readModels.timeline)),
    )
    .catch((error: unknown) => send(res, 500, { title: String(error) }));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  console.log(`minimal server listening on http://127.0.0.1:${address.port} (pid ${process.pid})`);
});
process.on('SIGTERM', () =>
  server.close(() => void readModels.close().then(() => process.exit(0))),
);
