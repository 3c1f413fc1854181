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
  override readonly name: string = 'PublishError';

  constructor(
    readonly ids: readonly string[],
    cause: unknown,
    detail = cause instanceof Error ? cause.message : String(cause),
  ) {
    super(`publishing ${ids.length} touchpoint(s) to Kafka failed: ${detail}`, { cause });
  }
}

/**
 * The broker refused the adapter's Kafka principal (TOPIC_AUTHORIZATION_FAILED): its ACLs
 * let it write only its own channels' topics (`infra/kafka/acls.json`), and this call had
 * a touchpoint of another channel. Retrying does not help; publishing the touchpoints of
 * its own channels again is safe.
 */
export class NotAuthorizedError extends PublishError {
  override readonly name = 'NotAuthorizedError';

  constructor(
    ids: readonly string[],
    /** The topics of the call; the broker does not say which of them it refused. */
    readonly topics: readonly string[],
    cause: unknown,
  ) {
    super(
      ids,
      cause,
      `not authorized to write ${topics.join(', ')} (TOPIC_AUTHORIZATION_FAILED): this ` +
        "adapter's Kafka principal may write only its own channels' topics",
    );
  }
}

/** True when a kafkajs error (or one it wraps) is the broker's TOPIC_AUTHORIZATION_FAILED. */
export function isTopicAuthorizationFailure(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth += 1) {
    const { type, cause, originalError } = e as {
      type?: unknown;
      cause?: unknown;
      originalError?: unknown;
    };
    if (type === 'TOPIC_AUTHORIZATION_FAILED') return true;
    e = cause ?? originalError;
  }
  return false;
}
