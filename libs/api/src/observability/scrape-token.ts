import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type ScrapeTokenCheck } from '../access/access.guard';

/** The least a scrape token must have: guessing it must be hopeless. */
const MIN_LENGTH = 24;

/**
 * The metrics scraper's bearer token (docs/decisions/0028-metrics-scrape-token.md), from
 * `RAPPORT_METRICS_TOKEN_FILE` (a file whose first line is the token; preferred: nothing in
 * the environment or process list) or `RAPPORT_METRICS_TOKEN`. Null when neither is set:
 * then nobody may scrape. Compared in constant time (both sides hashed first).
 */
export class ScrapeToken implements ScrapeTokenCheck {
  private readonly digest: Buffer;

  constructor(token: string) {
    if (token.length < MIN_LENGTH) {
      throw new Error(`the metrics scrape token must be at least ${MIN_LENGTH} characters long`);
    }
    this.digest = sha256(token);
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): ScrapeToken | null {
    const file = env.RAPPORT_METRICS_TOKEN_FILE;
    const inline = env.RAPPORT_METRICS_TOKEN;
    if (file && inline) {
      throw new Error('set RAPPORT_METRICS_TOKEN_FILE or RAPPORT_METRICS_TOKEN, not both');
    }
    if (file) {
      const token = readFileSync(file, 'utf8').split(/\r?\n/, 1)[0].trim();
      if (!token) throw new Error(`RAPPORT_METRICS_TOKEN_FILE: ${file} holds no token`);
      return new ScrapeToken(token);
    }
    return inline ? new ScrapeToken(inline) : null;
  }

  matches(presented: string): boolean {
    return timingSafeEqual(sha256(presented), this.digest);
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
