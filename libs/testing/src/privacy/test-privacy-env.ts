import { randomBytes } from 'node:crypto';

/**
 * Jest setup file: personal data protection on in every test, with a master key and a
 * pepper made for this run (never a secret in the repository). Set before the workers start
 * (the global setup calls this too), so every worker and every service a test spawns shares
 * them; an environment that already sets them keeps its own.
 */
export function ensureTestPrivacyEnv(env: NodeJS.ProcessEnv = process.env): void {
  if (env.RAPPORT_PRIVACY || env.RAPPORT_MASTER_KEY || env.RAPPORT_MASTER_KEY_FILE) return;
  env.RAPPORT_MASTER_KEY = randomBytes(32).toString('base64');
  env.RAPPORT_IDENTITY_PEPPER = randomBytes(32).toString('base64');
}

ensureTestPrivacyEnv();
