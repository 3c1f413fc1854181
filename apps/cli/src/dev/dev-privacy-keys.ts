import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The environment `rapport dev` runs with when no personal-data keys are configured: a master
 * key and a pepper made once in `<data dir>/secrets/` (mode 0600) and reused, so the log on a
 * laptop stays readable across restarts. Production passes its own (`docs/privacy.md`);
 * a file beside the log is what a laptop can do, not what a backup should hold.
 */
export function devPrivacyEnv(dataDir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.RAPPORT_PRIVACY || env.RAPPORT_MASTER_KEY || env.RAPPORT_MASTER_KEY_FILE) return env;
  const dir = join(resolve(dataDir), 'secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = (name: string) => {
    const file = join(dir, name);
    if (!existsSync(file))
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    return file;
  };
  return {
    ...env,
    RAPPORT_MASTER_KEY_FILE: secret('master.key'),
    RAPPORT_IDENTITY_PEPPER_FILE: secret('identity-pepper.key'),
  };
}
