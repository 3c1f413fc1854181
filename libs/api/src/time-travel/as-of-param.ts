import { type LogAsOf, type TimeTravel } from '@rapport/read-models';
import { ProblemException } from '../http/problem';

/** How an `asOf` query parameter is described in the OpenAPI document. */
export const AS_OF_QUERY = {
  name: 'asOf',
  required: false,
  example: '2026-03-01T09:00:00Z',
  description:
    "Time travel: answer as the platform would have with the log up to this point — a log position (digits, e.g. 1234) or an RFC 3339 time with an offset, meaning every event the log had recorded (appended) by then. Identity links, merges and unmerges recorded later are not applied; touchpoints recorded later are left out. 400 when malformed, in the future or past the log's head. The answer's `asOf` gives the position used (never past what the read model has applied) and when the log recorded it; pass that position on to page consistently.",
} as const;

/**
 * The log as of the `asOf` parameter, for a read model that has applied the log up to
 * `checkpoint`; undefined when the parameter is absent. A refused one is a 400 problem.
 */
export async function resolveAsOfParam(
  travel: TimeTravel | null,
  raw: string | undefined,
  checkpoint: () => Promise<number>,
): Promise<LogAsOf | undefined> {
  if (raw === undefined) return undefined;
  if (!travel)
    throw new ProblemException(
      501,
      'asOf needs the event log, and this process has none (set RAPPORT_EVENT_STORE)',
    );
  const resolved = await travel.resolve(raw, { upTo: await checkpoint() });
  if (!resolved.ok) throw new ProblemException(400, resolved.errors[0].message, resolved.errors);
  return resolved.value;
}

/** What an answer says about the point in the log it was answered at. */
export function asOfField(asOf: LogAsOf | undefined) {
  return asOf ? { asOf: { position: asOf.position, recordedAt: asOf.recordedAt } } : {};
}
