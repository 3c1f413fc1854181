/** How `readAll` and `headPosition` keep other applications' and system events out. */
export type EsdbReadFilter = 'server' | 'client';

/** An `esdb://` / `kurrentdb://` URL split into the client's connection string and Rapport's settings. */
export interface EsdbUrl {
  /** `esdb://…` or `esdb+discover://…` as `@eventstore/db-client` 6 parses it, without Rapport's parameters. */
  readonly connectionString: string;
  /** Prepended to every stream id in EventStoreDB; '' by default. */
  readonly streamPrefix: string;
  readonly idLookback?: number;
  readonly readFilter?: EsdbReadFilter;
  readonly maxEventBytes?: number;
}

/**
 * Schemes accepted for EventStoreDB / KurrentDB. The 6.x client only parses `esdb` and
 * `esdb+discover`; KurrentDB's own names mean the same connection string.
 */
const SCHEMES: Record<string, string> = {
  esdb: 'esdb',
  kurrentdb: 'esdb',
  kurrent: 'esdb',
  kdb: 'esdb',
  'esdb+discover': 'esdb+discover',
  'kurrentdb+discover': 'esdb+discover',
  'kurrent+discover': 'esdb+discover',
  'kdb+discover': 'esdb+discover',
};

/** Query parameters that are Rapport's, not the client's (matched as the client matches keys). */
const RAPPORT_PARAMETERS = ['streamPrefix', 'idLookback', 'readFilter', 'maxEventBytes'] as const;
type RapportParameter = (typeof RAPPORT_PARAMETERS)[number];

/** The client compares option keys case-insensitively, ignoring `-` and `_`; so do we. */
const flat = (key: string) => key.trim().toLowerCase().replace(/[_-]/g, '');

/**
 * Parses `esdb://host:2113?tls=false&streamPrefix=test-1-` (or `kurrentdb://…`,
 * `esdb+discover://…`). Rapport's own parameters are removed before the rest goes to the
 * client, which warns about keys it does not know:
 * - `streamPrefix`: prepended to every stream id (isolates test runs on a shared server);
 * - `idLookback`: how many of a stream's last events an append checks for duplicate ids;
 * - `readFilter`: `server` (default) or `client`, see `EsdbEventStoreOptions.readFilter`;
 * - `maxEventBytes`: the largest event accepted.
 */
export function parseEsdbUrl(url: string): EsdbUrl {
  const trimmed = url.trim();
  const match = /^([a-z+]+):\/\//i.exec(trimmed);
  const scheme = match ? SCHEMES[match[1].toLowerCase()] : undefined;
  if (!match || !scheme) {
    throw new Error(
      `RAPPORT_EVENT_STORE=${url}: expected esdb://host:2113?tls=false (or kurrentdb://, esdb+discover://)`,
    );
  }
  const rest = trimmed.slice(match[0].length);
  const queryAt = rest.indexOf('?');
  const authority = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rest.slice(queryAt + 1);
  if (!authority.replace(/\/+$/, '')) throw new Error(`RAPPORT_EVENT_STORE=${url}: name a host`);

  const kept: string[] = [];
  const ours: Partial<Record<RapportParameter, string>> = {};
  for (const pair of query.split('&').filter(Boolean)) {
    const equals = pair.indexOf('=');
    const key = equals < 0 ? pair : pair.slice(0, equals);
    const value = equals < 0 ? '' : pair.slice(equals + 1);
    const parameter = RAPPORT_PARAMETERS.find((p) => flat(p) === flat(key));
    if (parameter) ours[parameter] = decodeURIComponent(value);
    else kept.push(pair);
  }

  const streamPrefix = ours.streamPrefix ?? '';
  assertStreamPrefix(streamPrefix);
  const readFilter = ours.readFilter;
  if (readFilter !== undefined && readFilter !== 'server' && readFilter !== 'client') {
    throw new Error(`RAPPORT_EVENT_STORE=${url}: readFilter must be server or client`);
  }
  return {
    connectionString: `${scheme}://${authority}${kept.length ? `?${kept.join('&')}` : ''}`,
    streamPrefix,
    ...(ours.idLookback === undefined
      ? {}
      : { idLookback: integerParameter(url, 'idLookback', ours.idLookback, 0) }),
    ...(readFilter === undefined ? {} : { readFilter }),
    ...(ours.maxEventBytes === undefined
      ? {}
      : { maxEventBytes: integerParameter(url, 'maxEventBytes', ours.maxEventBytes, 1) }),
  };
}

/** A stream prefix may be empty; it must not make our streams look like system streams. */
export function assertStreamPrefix(prefix: string): void {
  if (prefix.startsWith('$')) {
    throw new Error(`stream prefix ${JSON.stringify(prefix)}: names starting with $ are reserved`);
  }
}

function integerParameter(url: string, name: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw new Error(`RAPPORT_EVENT_STORE=${url}: ${name} must be an integer ≥ ${min}`);
  }
  return n;
}
