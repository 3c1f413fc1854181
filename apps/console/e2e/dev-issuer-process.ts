import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { type StaffRole } from '@rapport/domain';
import { REPO_ROOT } from '@rapport/testing';

/** The resource indicator tokens are asked for: it puts the API's audience in them. */
export const API_RESOURCE = 'urn:rapport:api';

/** The development OpenID provider of `npm start`, in a process of its own (`dev-issuer.cjs`). */
export interface DevIssuerProcess {
  readonly issuer: string;
  /** Lets the console sign in from `origin` (its callback and sign-out addresses). */
  allowConsole(origin: string): Promise<void>;
  /** An access token for the API holding `role`: the role's demo client, client credentials. */
  token(role: StaffRole): Promise<string>;
  close(): Promise<void>;
}

export async function startDevIssuer(): Promise<DevIssuerProcess> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'dev-issuer.cjs')], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let cut: number;
    while ((cut = buffer.indexOf('\n')) >= 0) {
      lines.push(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 1);
      waiters.splice(0).forEach((wake) => wake());
    }
  });
  void exited.then(() => waiters.splice(0).forEach((wake) => wake()));
  const line = async (match: RegExp): Promise<string> => {
    for (;;) {
      const found = lines.find((l) => match.test(l));
      if (found) {
        lines.splice(lines.indexOf(found), 1);
        return found;
      }
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the development issuer ended before it printed ${match}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const issuer = (await line(/^issuer /)).slice('issuer '.length);
  await line(/^ready$/);
  const clients = new Map(
    lines
      .filter((l) => l.startsWith('client '))
      .map((l) => {
        const [, role, clientId, secret] = l.split(' ');
        return [role, { clientId, secret }] as const;
      }),
  );
  const tokens = new Map<StaffRole, Promise<string>>();
  const clientCredentials = async (role: StaffRole): Promise<string> => {
    const client = clients.get(role);
    if (!client) throw new Error(`the development issuer has no demo client for ${role}`);
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: API_RESOURCE }),
    });
    if (res.status !== 200) throw new Error(`no ${role} token: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  return {
    issuer,
    async allowConsole(origin) {
      child.stdin?.write(`allow ${origin}\n`);
      await line(/^allowed$/);
    },
    token(role) {
      // Each token lasts longer than a test file runs.
      const cached = tokens.get(role);
      if (cached) return cached;
      const asked = clientCredentials(role);
      tokens.set(role, asked);
      asked.catch(() => tokens.delete(role));
      return asked;
    },
    async close() {
      child.stdin?.end();
      await exited;
    },
  };
}
