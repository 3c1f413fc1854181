/** SASL mechanisms a bus URL may name (`?sasl=`), as kafkajs spells them. */
export const SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** The mechanism when a URL names a user but no `sasl=`. */
export const DEFAULT_SASL_MECHANISM: SaslMechanism = 'scram-sha-512';

/**
 * Who the client authenticates as. The password (when the URL holds it) is a non-enumerable
 * property: it is there for the client, but `JSON.stringify`, `util.inspect` and
 * `console.log` of a parsed URL do not show it.
 */
export interface KafkaSaslSettings {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  /** The password from the URL (`user:password@`); exactly one of it and `passwordFile`. */
  readonly password?: string;
  /** A file holding the password (`?passwordFile=`), read when a client is made. */
  readonly passwordFile?: string;
}

/** TLS to the brokers; the files are read when a client is made. */
export interface KafkaTlsSettings {
  /** PEM file with the CA certificates to trust instead of the system's (`?ca=`). */
  readonly caFile?: string;
  /** PEM client certificate and key for mutual TLS (`?cert=&key=`, both or neither). */
  readonly certFile?: string;
  readonly keyFile?: string;
}

/** What a bus URL says: `kafka://user:password@h1:9092,h2:9092?topicPrefix=run1.&tls=true` */
export interface KafkaBusUrl {
  readonly brokers: string[];
  /** Put before every topic name (default none); lets test runs share a broker. */
  readonly topicPrefix: string;
  /** Present when the URL names a user. */
  readonly sasl?: KafkaSaslSettings;
  /** Present when the URL asks for TLS (`tls=true`, or any of `ca`, `cert`, `key`). */
  readonly tls?: KafkaTlsSettings;
}

const OPTIONS = ['topicPrefix', 'sasl', 'passwordFile', 'tls', 'ca', 'cert', 'key'] as const;
type OptionName = (typeof OPTIONS)[number];

const SHAPE = /^kafka:\/\/(?:([^@/?#]*)@)?([^@/?#]+)(?:\?([^#]*))?$/;

/**
 * A URL with its password replaced by `***`, for messages and logs. Works on any
 * `scheme://user:password@…` string, well-formed or not; when unsure it hides more.
 */
export function redactBusUrl(url: string): string {
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.exec(url);
  if (!scheme) return url.includes('@') ? '***' : url;
  const rest = url.slice(scheme[0].length);
  const at = rest.lastIndexOf('@');
  if (at < 0) return url;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0 && !/[/?#]/.test(userinfo)) return url;
  const user = colon < 0 ? '***' : userinfo.slice(0, colon);
  return `${scheme[0]}${/[/?#]/.test(user) ? '***' : user}:***@${rest.slice(at + 1)}`;
}

/**
 * Reads a bus URL:
 *
 * `kafka://[user[:password]@]host:port[,host:port…][?option=value&…]`
 *
 * with the options `topicPrefix`, `sasl` (`scram-sha-512` — the default when a user is
 * given —, `scram-sha-256`, `plain`), `passwordFile`, `tls` (`true`/`false`), `ca`, `cert`
 * and `key`. User and password are percent-encoded (`p%40ss` for `p@ss`).
 *
 * The scheme is required so that a misconfigured `RAPPORT_BUS` (say `inproc`) fails here
 * with a clear message instead of as a connection timeout later; unknown options and
 * contradicting ones fail too, so that a typo is not silently ignored. No message repeats
 * the password.
 */
export function parseKafkaBusUrl(url: string): KafkaBusUrl {
  const shown = redactBusUrl(url);
  const fail = (why: string): never => {
    throw new Error(`not a Kafka URL: "${shown}" (${why})`);
  };
  const match = SHAPE.exec(url.trim());
  if (!match) {
    return fail(
      'expected kafka://[user[:password]@]host:port[,host:port…][?option=value&…]; ' +
        'percent-encode "@", "/", "?" and "#" in a user or password',
    );
  }
  const [, userinfo, hosts, query] = match;
  const brokers = hosts
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const bad = brokers.filter((b) => !/^[^\s:/]+:\d{1,5}$/.test(b));
  if (brokers.length === 0 || bad.length > 0) {
    fail(`each broker is host:port; bad: ${bad.join(', ')}`);
  }

  const options = readOptions(query ?? '', fail);
  const sasl = readSasl(userinfo, options, fail);
  const tls = readTls(options, fail);
  if (sasl?.mechanism === 'plain' && !tls) {
    fail('sasl=plain sends the password as it is: use it only with tls=true');
  }
  return {
    brokers,
    topicPrefix: options.topicPrefix ?? '',
    ...(sasl ? { sasl } : {}),
    ...(tls ? { tls } : {}),
  };
}

function readOptions(
  query: string,
  fail: (why: string) => never,
): Partial<Record<OptionName, string>> {
  const params = new URLSearchParams(query);
  const keys = [...params.keys()];
  const unknown = keys.filter((k) => !(OPTIONS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    fail(`unknown options: ${unknown.join(', ')} (known: ${OPTIONS.join(', ')})`);
  }
  const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
  if (twice.length > 0) fail(`options given twice: ${[...new Set(twice)].join(', ')}`);
  return Object.fromEntries(params) as Partial<Record<OptionName, string>>;
}

function readSasl(
  userinfo: string | undefined,
  options: Partial<Record<OptionName, string>>,
  fail: (why: string) => never,
): KafkaSaslSettings | undefined {
  if (userinfo === undefined) {
    if (options.sasl !== undefined) fail(`sasl=${options.sasl} needs a user: kafka://user@host`);
    if (options.passwordFile !== undefined) fail('passwordFile needs a user: kafka://user@host');
    return undefined;
  }
  const colon = userinfo.indexOf(':');
  const decode = (part: string, what: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      return fail(`the ${what} is not properly percent-encoded`);
    }
  };
  const username = decode(colon < 0 ? userinfo : userinfo.slice(0, colon), 'user');
  const password = colon < 0 ? undefined : decode(userinfo.slice(colon + 1), 'password');
  if (username === '') fail('the user before "@" is empty');
  if (password === '') fail('the password after "user:" is empty');
  if (password !== undefined && options.passwordFile !== undefined) {
    fail('give the password in the URL or in passwordFile, not both');
  }
  if (password === undefined && !options.passwordFile) {
    fail(`user "${username}" has no password: kafka://user:password@… or ?passwordFile=<file>`);
  }
  const mechanism = (options.sasl ?? DEFAULT_SASL_MECHANISM).toLowerCase();
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    fail(`sasl=${options.sasl} is not one of ${SASL_MECHANISMS.join(', ')}`);
  }
  const sasl: KafkaSaslSettings = {
    mechanism: mechanism as SaslMechanism,
    username,
    ...(options.passwordFile ? { passwordFile: options.passwordFile } : {}),
  };
  if (password !== undefined) {
    Object.defineProperty(sasl, 'password', { value: password, enumerable: false });
  }
  return sasl;
}

function readTls(
  options: Partial<Record<OptionName, string>>,
  fail: (why: string) => never,
): KafkaTlsSettings | undefined {
  const { tls, ca, cert, key } = options;
  if (tls !== undefined && tls !== 'true' && tls !== 'false') {
    fail(`tls=${tls}: expected true or false`);
  }
  for (const [name, value] of Object.entries({ ca, cert, key })) {
    if (value === '') fail(`${name} is empty: give the path of a PEM file`);
  }
  const files = ca !== undefined || cert !== undefined || key !== undefined;
  if (tls === 'false' && files) fail('tls=false contradicts ca, cert or key');
  if ((cert === undefined) !== (key === undefined)) {
    fail('a client certificate needs both cert and key');
  }
  if (tls !== 'true' && !files) return undefined;
  return {
    ...(ca !== undefined ? { caFile: ca } : {}),
    ...(cert !== undefined ? { certFile: cert } : {}),
    ...(key !== undefined ? { keyFile: key } : {}),
  };
}

/** What a bus URL connects to, for logs: `h1:9092,h2:9092 as adapter-email (scram-sha-512, TLS)`. */
export function describeKafkaBus(bus: KafkaBusUrl): string {
  const how = [bus.sasl?.mechanism, bus.tls ? 'TLS' : undefined].filter(Boolean).join(', ');
  const who = bus.sasl ? ` as ${bus.sasl.username}` : '';
  return `${bus.brokers.join(',')}${who}${how ? ` (${how})` : ''}`;
}
