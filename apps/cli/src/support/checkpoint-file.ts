import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Where a resumable command keeps its progress: a small JSON file naming the job it
 * belongs to (so a checkpoint is never applied to another job) and the last log position
 * fully done. Written beside and renamed, so a crash never leaves half a checkpoint.
 */
export class CheckpointFile<S extends Record<string, string>> {
  constructor(
    readonly path: string,
    private readonly job: S,
  ) {}

  /** `.rapport-<kind>-<hash of the job>.json` in the working directory. */
  static defaultPath(kind: string, job: Record<string, string>): string {
    const hash = createHash('sha256').update(JSON.stringify(job)).digest('hex').slice(0, 12);
    return `.rapport-${kind}-${hash}.json`;
  }

  /** The saved position, 0 when there is none; throws when the file belongs to another job. */
  read(): number {
    if (!existsSync(this.path)) return 0;
    const saved = JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(this.job)) {
      if (saved[key] !== value)
        throw new Error(
          `${this.path} belongs to another job (${key} ${JSON.stringify(saved[key])}, not ${JSON.stringify(value)})`,
        );
    }
    return Number(saved.checkpoint) || 0;
  }

  write(checkpoint: number): void {
    writeFileSync(
      `${this.path}.tmp`,
      JSON.stringify({ ...this.job, checkpoint, savedAt: new Date().toISOString() }),
    );
    renameSync(`${this.path}.tmp`, this.path);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
