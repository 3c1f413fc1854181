import { IdeaRefusedError, type IdeaRefusalCode } from '@rapport/domain';
import { IdeaConflictError } from '@rapport/ideas';
import { ProblemException } from '../http/problem';

const STATUS_OF: Record<IdeaRefusalCode, number> = {
  'unknown-idea': 404,
  'idea-exists': 409,
  'already-voted': 409,
  'not-voted': 409,
  'duplicate-touchpoint': 409,
  'idea-merged': 409,
  'illegal-transition': 422,
  'idea-closed': 422,
  'merge-into-itself': 422,
  'reason-required': 400,
  'invalid-field': 400,
};

/** Refusals and conflicts as problem details; anything else is rethrown. */
export function ideaProblem(error: unknown): never {
  if (error instanceof IdeaRefusedError) {
    throw new ProblemException(STATUS_OF[error.code] ?? 422, error.message, error.refusals);
  }
  if (error instanceof IdeaConflictError) {
    throw new ProblemException(409, `${error.message}; read the idea again and retry`, [
      { path: 'expectedRevision', message: `the idea is at revision ${error.actual}` },
    ]);
  }
  throw error;
}
