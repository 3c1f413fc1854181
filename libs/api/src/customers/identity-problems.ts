import { type IdentityRefusal, type IdentityRefusalCode } from '@rapport/domain';
import { ProblemException } from '../http/problem';

const STATUS_OF: Record<IdentityRefusalCode, number> = {
  'unknown-customer': 404,
  'unknown-identity': 404,
  'no-identity': 400,
  'same-identity': 400,
  'merge-into-itself': 400,
  'blocked-identity': 409,
  'already-linked': 409,
  'different-customers': 409,
  'kept-apart': 409,
  'kind-limit': 409,
  'last-identity': 409,
  'already-merged': 409,
  'survivor-is-merged': 409,
  'customer-is-merged': 409,
  'not-merged': 409,
  'no-open-suggestion': 409,
};

/** A refused identity command as problem details: 404 unknown, 400 malformed, 409 the graph says no. */
export function identityRefusalProblem(errors: readonly IdentityRefusal[]): ProblemException {
  const [first] = errors;
  return new ProblemException(STATUS_OF[first.code] ?? 409, first.message, errors);
}
