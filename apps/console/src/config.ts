/** What the server tells the console at `/console-config.json`: where staff sign in. */
export interface ConsoleConfig {
  /** The OpenID issuer (the development provider under `npm start`). */
  readonly issuer: string;
  /** The console's public client at that issuer (authorisation code + PKCE). */
  readonly clientId: string;
  readonly scope: string;
  /** The resource indicator to ask tokens for, where the issuer needs one. */
  readonly resource?: string;
  /** Where the roles are in an access token: a claim or a dotted path. */
  readonly rolesClaim: string;
}

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  const res = await fetch('/console-config.json', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`the console's settings did not load (HTTP ${res.status})`);
  return (await res.json()) as ConsoleConfig;
}
