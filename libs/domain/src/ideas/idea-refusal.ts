import { type FieldError } from '../validation/field-error';
import { type IdeaStatus } from './idea-events';

export type IdeaRefusalCode =
  /** `submit` on an idea id that already exists. */
  | 'idea-exists'
  /** Any command but `submit` on an idea that was never submitted. */
  | 'unknown-idea'
  /** The idea was merged into another one: send the command there (`redirectTo`). */
  | 'idea-merged'
  /** Shipped or declined: it takes no new votes. */
  | 'idea-closed'
  | 'already-voted'
  | 'not-voted'
  /** The workflow does not go from the current status to the requested one. */
  | 'illegal-transition'
  /** Declining needs a reason. */
  | 'reason-required'
  | 'merge-into-itself'
  /** The touchpoint already submitted or voted on this idea (a redelivery). */
  | 'duplicate-touchpoint'
  /** A field is empty or too long. */
  | 'invalid-field';

/** Why a command was refused: a field error (path = the command field) with a stable code. */
export interface IdeaRefusal extends FieldError {
  readonly code: IdeaRefusalCode;
  /** For `idea-merged`: the idea that took this one in. */
  readonly redirectTo?: string;
  /** For `illegal-transition`: where the idea is, and where it may go from there. */
  readonly status?: IdeaStatus;
  readonly allowed?: readonly IdeaStatus[];
}

/** A decider's answer: the events to append, or why not (a `Validated<T>`, so HTTP maps it like validation). */
export type IdeaDecision<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: IdeaRefusal[] };

export function refuseIdea<T = never>(
  code: IdeaRefusalCode,
  path: string,
  message: string,
  extra: Partial<Pick<IdeaRefusal, 'redirectTo' | 'status' | 'allowed'>> = {},
): IdeaDecision<T> {
  return { ok: false, errors: [{ code, path, message, ...extra }] };
}

/** A refusal as an exception, for the application layer (the domain returns decisions). */
export class IdeaRefusedError extends Error {
  override readonly name = 'IdeaRefusedError';
  readonly code: IdeaRefusalCode;
  constructor(readonly refusals: readonly IdeaRefusal[]) {
    super(refusals.map((r) => r.message).join('; '));
    this.code = refusals[0]?.code ?? 'invalid-field';
  }
}
