import { IdeaRefusedError, type IdeaRefusalCode, ideaStreamId } from '@rapport/domain';
import { EventIdConflictError } from '@rapport/event-store';
import { IdeaConflictError } from '@rapport/application';
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
  if (error instanceof EventIdConflictError) {
    // A touchpoint's events have ids derived from it: the touchpoint already counts elsewhere
    // (a retry of a submit without an idea id, or one touchpoint used for two ideas).
    const prefix = ideaStreamId('');
    const detail = error.existingStreamId.startsWith(prefix)
      ? `this touchpoint was already used for idea ${error.existingStreamId.slice(prefix.length)}`
      : 'this touchpoint was already used';
    throw new ProblemException(409, detail, [{ path: 'touchpointEventId', message: detail }]);
  }
  throw error;
}
