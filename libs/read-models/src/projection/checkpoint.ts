/** The log range a batch covers: events with `after < position <= upTo`. */
export interface CheckpointRange {
  readonly after: number;
  readonly upTo: number;
}

/**
 * A read model was not at the checkpoint a batch continues from. Nothing was written.
 * The projection runner answers it by resuming from the model's actual checkpoint:
 * a redelivered batch is skipped, and a model that came back empty is rebuilt.
 */
export class CheckpointMismatchError extends Error {
  override readonly name = 'CheckpointMismatchError';
  constructor(
    readonly projection: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      `projection ${projection}: the batch continues from position ${expected}, but the read model is at ${actual}`,
    );
  }
}
