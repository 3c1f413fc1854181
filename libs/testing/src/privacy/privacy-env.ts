import { randomBytes } from 'node:crypto';

/**
 * Personal data protection on, with a master key and a pepper made for this run (never a
 * secret in the repository), unless the environment already configures it. Called before
 * services are spawned (Jest's setup, the benchmarks), so every process shares the keys.
 */
export function ensureTestPrivacyEnv(env: NodeJS.ProcessEnv = process.env): void {
  if (env.RAPPORT_PRIVACY || env.RAPPORT_MASTER_KEY || env.RAPPORT_MASTER_KEY_FILE) return;
  env.RAPPORT_MASTER_KEY = randomBytes(32).toString('base64');
  env.RAPPORT_IDENTITY_PEPPER = randomBytes(32).toString('base64');
}
