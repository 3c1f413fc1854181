import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';

export interface TokenOptions {
  readonly subject?: string;
  readonly roles?: readonly string[];
  /** A display name (`name` claim). */
  readonly name?: string;
  readonly audience?: string;
  readonly issuer?: string;
  /** Seconds from now; negative for a token that has expired. */
  readonly expiresIn?: number;
  readonly notBefore?: number;
  /** Sign with a key the issuer does not publish (under the published key's `kid`). */
  readonly foreignKey?: boolean;
}

/**
 * A real OpenID issuer for tests: a key pair, and a local HTTP server publishing the
 * discovery document and the JWKS, so that the services verify tokens exactly as they do
 * against Keycloak or Entra ID. Tokens are RS256, audience `rapport`, roles in `roles`.
 */
export class TestIssuer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly privateKey: KeyLike,
    private readonly foreign: KeyLike,
    readonly publicJwk: JWK,
  ) {}

  static async start(): Promise<TestIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const other = await generateKeyPair('RS256');
    const publicJwk = {
      ...(await exportJWK(publicKey)),
      kid: 'test-key',
      alg: 'RS256',
      use: 'sig',
    };
    let url = '';
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('connection', 'close'); // no idle keep-alive socket outlives a test
      if (req.url === '/.well-known/openid-configuration') {
        res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks` }));
      } else if (req.url === '/jwks') {
        res.end(JSON.stringify({ keys: [publicJwk] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.unref(); // a test that forgets to close it still ends
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return new TestIssuer(server, url, privateKey, other.privateKey, publicJwk);
  }

  /** The environment a service needs to trust this issuer. */
  env(): Record<string, string> {
    return { RAPPORT_OIDC_ISSUER: this.url, RAPPORT_OIDC_AUDIENCE: 'rapport' };
  }

  async token(options: TokenOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({
      roles: [...(options.roles ?? ['agent'])],
      ...(options.name ? { name: options.name } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'at+jwt' })
      .setSubject(options.subject ?? 'staff-test')
      .setIssuer(options.issuer ?? this.url)
      .setAudience(options.audience ?? 'rapport')
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresIn ?? 300));
    if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
    return jwt.sign(options.foreignKey ? this.foreign : this.privateKey);
  }

  /** An unsigned token (`alg: none`) claiming every role. */
  unsignedToken(): string {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    return `${part({ alg: 'none', typ: 'JWT' })}.${part({
      sub: 'intruder',
      iss: this.url,
      aud: 'rapport',
      exp: now + 300,
      roles: ['admin', 'supervisor'],
    })}.`;
  }

  /** HS256 signed with the issuer's public key as the secret (algorithm confusion). */
  async confusedToken(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const secret = new TextEncoder().encode(JSON.stringify(this.publicJwk));
    return new SignJWT({ roles: ['admin', 'supervisor'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'test-key' })
      .setSubject('intruder')
      .setIssuer(this.url)
      .setAudience('rapport')
      .setExpirationTime(now + 300)
      .sign(secret);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
