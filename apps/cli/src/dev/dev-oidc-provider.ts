import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { STAFF_ROLES, type StaffRole } from '@rapport/domain';
import { exportJWK, generateKeyPair } from 'jose';

/** The resource indicator clients ask tokens for; tokens for it carry `aud: rapport`. */
export const DEV_RESOURCE = 'urn:rapport:api';

/** A client of the development provider that gets tokens without a browser. */
export interface DemoClient {
  readonly role: StaffRole;
  readonly clientId: string;
  readonly secret: string;
}

export interface DevOidcProvider {
  readonly issuer: string;
  readonly demoClients: readonly DemoClient[];
  /**
   * Lets the staff console (client `rapport-console`) sign in from `origins` (its callback is
   * `<origin>/callback`, and sign-out returns to `<origin>/`). Called once the HTTP port is
   * known, which with `--port 0` is only after the platform listens.
   */
  allowConsole(origins: readonly string[]): void;
  close(): Promise<void>;
}

/** The console's client id at the development provider. */
export const CONSOLE_CLIENT_ID = 'rapport-console';

interface OidcProviderModule {
  default: new (
    issuer: string,
    configuration: Record<string, unknown>,
  ) => { callback(): (req: unknown, res: unknown) => void; proxy?: boolean };
}

/**
 * A real OpenID provider for `npm start` (oidc-provider, in development mode): demo users
 * `agent`, `supervisor`, `data` and `admin` sign in through its development login page (any
 * password) for the authorisation code flow with PKCE, and one confidential demo client per
 * role gets tokens with the client credentials grant (for curl). Keys and client secrets are
 * made at every start and never written anywhere. Production points the services at a real
 * issuer instead (RAPPORT_OIDC_ISSUER).
 */
export async function startDevOidcProvider(port: number): Promise<DevOidcProvider> {
  // oidc-provider is an ES module only; Node 20 loads it through require.
  const { default: Provider } = createRequire(__filename)('oidc-provider') as OidcProviderModule;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'dev-1', alg: 'RS256', use: 'sig' };
  const demoClients: DemoClient[] = STAFF_ROLES.map((role) => ({
    role,
    clientId: `demo-${role}`,
    secret: randomBytes(18).toString('base64url'),
  }));
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only, whatever --host says: its login page signs anyone in as any role.
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${address.port}`;
  const rolesOf = (id: string | undefined): StaffRole[] => {
    if (!id) return [];
    const name = id.startsWith('demo-') ? id.slice('demo-'.length) : id;
    return (STAFF_ROLES as readonly string[]).includes(name) ? [name as StaffRole] : [];
  };
  const providerFor = (consoleOrigins: readonly string[]) =>
    new Provider(issuer, {
      clients: [
        {
          client_id: CONSOLE_CLIENT_ID,
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: consoleOrigins.length
            ? consoleOrigins.map((origin) => `${origin}/callback`)
            : ['http://127.0.0.1/callback'],
          post_logout_redirect_uris: consoleOrigins.map((origin) => `${origin}/`),
        },
        ...demoClients.map((client) => ({
          client_id: client.clientId,
          client_secret: client.secret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        })),
      ],
      jwks: { keys: [signingKey] },
      // The console redeems its code and ends its session from the browser (its own origin).
      clientBasedCORS: (_ctx: unknown, origin: string) => consoleOrigins.includes(origin),
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      pkce: { required: () => true },
      features: {
        devInteractions: { enabled: true },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => DEV_RESOURCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: 'rapport',
            audience: 'rapport',
            accessTokenTTL: 60 * 60,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
      findAccount: (_ctx: unknown, id: string) => ({
        accountId: id,
        claims: () => ({ sub: id, name: id, roles: rolesOf(id) }),
      }),
      extraTokenClaims: (_ctx: unknown, token: { accountId?: string; clientId?: string }) => ({
        roles: rolesOf(token.accountId ?? token.clientId),
        // The name colleagues see (presence, notes): the demo user's own.
        ...(token.accountId ? { name: token.accountId } : {}),
      }),
      claims: { openid: ['sub'], profile: ['name', 'roles'] },
      scopes: ['openid', 'profile', 'offline_access', 'rapport'],
    });
  // Made at the first request, or anew (same keys, same in-memory grants) once the console's
  // origins are known.
  let handle: ((req: unknown, res: unknown) => void) | undefined;
  server.on('request', (req, res) => (handle ??= providerFor([]).callback())(req, res));
  return {
    issuer,
    demoClients,
    allowConsole: (origins) => {
      handle = providerFor(origins).callback();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
