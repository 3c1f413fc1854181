import { type FieldError } from '@rapport/domain';

/** One touchpoint of a publish call that failed local validation. */
export interface RejectedTouchpoint {
  /** Its position in the `publishBatch` input (0 for `publish`). */
  readonly index: number;
  readonly id: string;
  readonly errors: readonly FieldError[];
}

/**
 * A touchpoint the platform would refuse, found before anything was sent: the adapter
 * learns it at once, with the same field errors the ingestor would give, instead of
 * through the dead-letter topic. When it is thrown nothing of the call was published.
 */
export class InvalidTouchpointError extends Error {
  override readonly name = 'InvalidTouchpointError';
  /**
   * Every field error. For `publishBatch` each path is prefixed with the item's index
   * (`[2].data.identity.value`); for `publish` it is the plain path (`data.identity.value`).
   */
  readonly errors: readonly FieldError[];

  constructor(
    readonly rejected: readonly RejectedTouchpoint[],
    batch: boolean,
  ) {
    const errors = rejected.flatMap((r) =>
      r.errors.map((e) => (batch ? { path: `[${r.index}].${e.path}`, message: e.message } : e)),
    );
    const what = batch
      ? `${rejected.length} touchpoint(s) of the batch are invalid; nothing was published`
      : `touchpoint "${rejected[0]?.id}" is invalid; it was not published`;
    super(`${what}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    this.errors = errors;
  }
}

/**
 * Kafka did not take the messages (after the producer's retries). `ids` are the
 * touchpoint ids of the call; any of them may or may not have been written, and
 * publishing them again is safe because the platform stores a source + id once.
 */
export class PublishError extends Error {
  override readonly name = 'PublishError';

  constructor(
    readonly ids: readonly string[],
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`publishing ${ids.length} touchpoint(s) to Kafka failed: ${detail}`, { cause });
  }
}
