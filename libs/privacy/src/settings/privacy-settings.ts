import { readFileSync } from 'node:fs';
import { type SealFormat } from '../cipher/field-cipher';

/** How personal data is protected, from configuration (`RAPPORT_MASTER_KEY`, `RAPPORT_IDENTITY_PEPPER`, …). */
export interface PrivacySettings {
  /** Wraps every data key: 32 bytes, base64. */
  readonly masterKey: string;
  /** Keys the blind index of identities: at least 32 bytes, base64. Changing it is a migration. */
  readonly pepper: string;
  /**
   * Where the data keys live: `sqlite:<file>`, `postgres://…[?schema=]` or `memory`. By
   * default the log's own database (its SQLite file, its PostgreSQL schema); EventStoreDB
   * has no deletable table, so with it this must be named.
   */
  readonly keysUrl?: string;
  /**
   * The format the log's appends seal in (`RAPPORT_SEAL_FORMAT`, default 2); every format is
   * read. 1 while processes of a release before format 2 still read the log
   * (docs/decisions/0050).
   */
  readonly sealFormat?: SealFormat;
}

export const PRIVACY_VARIABLES =
  'RAPPORT_MASTER_KEY (or RAPPORT_MASTER_KEY_FILE) and RAPPORT_IDENTITY_PEPPER (or RAPPORT_IDENTITY_PEPPER_FILE)';

function secret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new Error(`${name}_FILE=${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  }
  return env[name] || undefined;
}

/**
 * The settings the environment gives: `off` when `RAPPORT_PRIVACY=off` (personal data stored
 * in plaintext, for benchmarks and logs written before protection), `undefined` when no key
 * is configured, else both secrets (a half configuration is an error naming what is missing).
 */
export function privacySettingsFrom(
  env: NodeJS.ProcessEnv = process.env,
): PrivacySettings | 'off' | undefined {
  const mode = env.RAPPORT_PRIVACY?.trim().toLowerCase();
  if (mode === 'off') return 'off';
  if (mode && mode !== 'on') throw new Error(`RAPPORT_PRIVACY=${mode}: expected on or off`);
  const masterKey = secret(env, 'RAPPORT_MASTER_KEY');
  const pepper = secret(env, 'RAPPORT_IDENTITY_PEPPER');
  if (!masterKey && !pepper) return undefined;
  if (!masterKey || !pepper) {
    throw new Error(
      `personal data protection needs both ${PRIVACY_VARIABLES}; only ${masterKey ? 'the master key' : 'the pepper'} is set`,
    );
  }
  const keysUrl = env.RAPPORT_SUBJECT_KEYS || undefined;
  const format = env.RAPPORT_SEAL_FORMAT?.trim();
  if (format && format !== '1' && format !== '2')
    throw new Error(`RAPPORT_SEAL_FORMAT=${format}: expected 1 or 2`);
  return {
    masterKey,
    pepper,
    ...(keysUrl ? { keysUrl } : {}),
    ...(format ? { sealFormat: Number(format) as SealFormat } : {}),
  };
}
