import {
  DEFAULT_IDENTITY_POLICY,
  evolve,
  identityDecisionIdFor,
  type IdentityDecisionMetadata,
  type IdentityPolicy,
  resolveTouchpointIdentities,
  touchpointIdentitiesOf,
} from '@rapport/domain';
import { type NewEvent, type RecordedEvent } from '@rapport/event-store';
import {
  type CheckpointRange,
  type ProjectionTarget,
  readsNoPersonalData,
} from '@rapport/read-models';
import { type IdentityGraphLog } from './identity-graph-log';
import { identityDecisions, type IdentityDecisionsReport } from './identity-diagnostics';

/** How often a batch is decided again when the graph keeps moving under it. */
const MAX_ATTEMPTS = 50;

/**
 * Identity resolution: follows the log and decides, touchpoint by touchpoint in log order,
 * what each one teaches the identity graph (`resolveTouchpointIdentities`), and appends
 * those decisions to the `identity-graph` stream with the revision they were decided on,
 * each with an id derived from its touchpoint
 * (docs/decisions/0006-identity-decisions-recorded-in-the-log.md).
 *
 * Its checkpoint is in the log: the position of the last touchpoint a decision names
 * (touchpoints after it that needed none are decided again after a restart — to nothing,
 * unless staff changed the graph in between).
 */
export class IdentityResolution implements ProjectionTarget {
  readonly name = 'identity-resolution';
  // Pseudonymous identities are all it reads; blocked ones are flagged at ingestion.
  readonly personalDataOf = readsNoPersonalData;
  readonly handles = (event: RecordedEvent): boolean => touchpointIdentitiesOf(event) !== null;
  private position = 0;

  constructor(
    private readonly graphLog: IdentityGraphLog,
    private readonly policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
  ) {}

  async checkpoint(): Promise<number> {
    await this.graphLog.refresh();
    this.position = Math.max(this.position, this.graphLog.resolvedUpTo);
    return this.position;
  }

  async applyBatch(events: readonly RecordedEvent[], range: CheckpointRange): Promise<void> {
    // Staff decisions (links, unlinks, merges) are appended by other processes: fold them
    // first. A batch that decides nothing appends nothing, so the expected-revision check
    // below could not catch a stale graph for it.
    await this.graphLog.refresh();
    for (let attempt = 1; ; attempt++) {
      let graph = this.graphLog.graph;
      const decisions: NewEvent[] = [];
      for (const event of events) {
        // Decided already (by this resolver before a restart, or by another one).
        if (event.position <= this.graphLog.resolvedUpTo) continue;
        const touchpoint = touchpointIdentitiesOf(event);
        if (!touchpoint) continue;
        const resolution = resolveTouchpointIdentities(graph, touchpoint, this.policy);
        if (!resolution.ok) continue;
        resolution.value.events.forEach((decided, index) => {
          const metadata: IdentityDecisionMetadata = {
            causationId: event.id,
            causePosition: event.position,
          };
          decisions.push({
            id: identityDecisionIdFor(event.id, index),
            type: decided.type,
            data: decided.data,
            metadata,
          });
          graph = evolve(graph, decided);
        });
      }
      if (await this.graphLog.tryAppend(decisions, graph)) {
        if (decisions.length > 0 && identityDecisions.hasSubscribers)
          identityDecisions.publish({
            types: decisions.map((d) => d.type),
          } satisfies IdentityDecisionsReport);
        break;
      }
      if (attempt >= MAX_ATTEMPTS)
        throw new Error(`identity resolution: the graph moved ${attempt} times under one batch`);
    }
    this.position = range.upTo;
  }
}
