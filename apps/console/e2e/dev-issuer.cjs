// The development OpenID provider of `npm start` as a process of its own, for the browser
// tests against the three services (oidc-provider is an ES module Jest cannot load in-process).
// Prints `issuer <url>`, then a line `client <role> <client id> <secret>` per demo client (for
// tokens by the client credentials grant), then `ready`; a line `allow <origin>` on stdin lets
// the console sign in from that origin (answered `allowed`); the process ends with its stdin.
const path = require('node:path');
const readline = require('node:readline');

process.env.SWC_NODE_PROJECT ||= path.join(__dirname, '..', '..', '..', 'tsconfig.base.json');
require('@swc-node/register');
const { startDevOidcProvider } = require('../../cli/src/dev/dev-oidc-provider.ts');

void (async () => {
  const provider = await startDevOidcProvider(0);
  process.stdout.write(`issuer ${provider.issuer}\n`);
  for (const client of provider.demoClients)
    process.stdout.write(`client ${client.role} ${client.clientId} ${client.secret}\n`);
  process.stdout.write('ready\n');
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const [command, origin] = line.trim().split(/\s+/);
    if (command === 'allow' && origin) {
      provider.allowConsole([origin]);
      process.stdout.write('allowed\n');
    }
  });
  lines.on('close', () => void provider.close().then(() => process.exit(0)));
})();
