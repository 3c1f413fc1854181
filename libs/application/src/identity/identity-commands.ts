import { randomUUID } from 'node:crypto';
import {
  type ChannelIdentity,
  decideLink,
  decideMerge,
  decideUnlink,
  decideUnmerge,
  decideDismissMergeSuggestion,
  DEFAULT_IDENTITY_POLICY,
  evolve,
  type IdentityDecision,
  type IdentityDecisionMetadata,
  type IdentityGraph,
  type IdentityGraphEvent,
  type IdentityPolicy,
  identitiesOf,
  optionalNote,
  refuse,
  resolveCustomer,
  type StaffActor,
} from '@rapport/domain';
import { type NewEvent } from '@rapport/event-store';
import { type IdentityGraphLog } from './identity-graph-log';

const MAX_ATTEMPTS = 20;

export interface IdentityCommandResult {
  readonly events: readonly IdentityGraphEvent[];
}

/**
 * What staff do to the identity graph: merge, unmerge, link, unlink. Each command is
 * decided by the domain's decider on the graph as the `identity-graph` stream has it now,
 * and appended with that stream revision as the expected one; when the graph moved in
 * between, it is decided again on the new graph (and may then be refused).
 */
export class IdentityCommands {
  constructor(
    private readonly graphLog: IdentityGraphLog,
    private readonly policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
  ) {}

  merge(survivorId: string, mergedId: string, by: StaffActor, at: string, note?: string) {
    return this.execute((graph) =>
      decideMerge(graph, { survivorId, mergedId, by, at, ...optionalNote(note) }, this.policy),
    );
  }

  /** Dismisses the open merge suggestion between the two customers (any ids of their groups). */
  dismissSuggestion(
    customerId: string,
    otherCustomerId: string,
    by: StaffActor,
    at: string,
    note?: string,
  ) {
    return this.execute((graph) =>
      decideDismissMergeSuggestion(graph, {
        customerId,
        otherCustomerId,
        by,
        at,
        ...optionalNote(note),
      }),
    );
  }

  /** Unmerges `mergedId` from the customer it was merged into (`customerId` or its survivor). */
  unmerge(customerId: string, mergedId: string, by: StaffActor, at: string, note?: string) {
    return this.execute((graph) => {
      const survivorId = graph.customers.get(mergedId)?.mergedInto ?? customerId;
      if (resolveCustomer(graph, survivorId) !== resolveCustomer(graph, customerId))
        return refuse(
          'not-merged',
          'mergedId',
          `customer ${mergedId} is not merged into ${customerId}`,
        );
      return decideUnmerge(
        graph,
        { survivorId, mergedId, by, at, ...optionalNote(note) },
        this.policy,
      );
    });
  }

  /** Links an identity to a customer (through the customer's first identity by key). */
  link(customerId: string, identity: ChannelIdentity, by: StaffActor, at: string, note?: string) {
    return this.execute((graph) => {
      const root = resolveCustomer(graph, customerId);
      if (root === undefined)
        return refuse('unknown-customer', 'customerId', `customer ${customerId} does not exist`);
      const [withIdentity] = identitiesOf(graph, root);
      return decideLink(
        graph,
        { identity, withIdentity, by, at, ...optionalNote(note) },
        this.policy,
      );
    });
  }

  /** Takes an identity from the customer (merge group) that holds it; it starts a customer of its own. */
  unlink(customerId: string, identity: ChannelIdentity, by: StaffActor, at: string, note?: string) {
    return this.execute((graph) => {
      const root = resolveCustomer(graph, customerId);
      if (root === undefined)
        return refuse('unknown-customer', 'customerId', `customer ${customerId} does not exist`);
      const holds = identitiesOf(graph, root).some(
        (own) =>
          own.kind === identity.kind &&
          own.value === identity.value &&
          own.network === identity.network,
      );
      if (!holds)
        return refuse(
          'unknown-identity',
          'identity',
          `customer ${customerId} does not hold this identity`,
        );
      return decideUnlink(graph, { identity, by, at, ...optionalNote(note) }, this.policy);
    });
  }

  private async execute(
    decide: (graph: IdentityGraph) => IdentityDecision<IdentityGraphEvent[]>,
  ): Promise<IdentityDecision<IdentityCommandResult>> {
    const requestId = randomUUID();
    await this.graphLog.refresh();
    for (let attempt = 1; ; attempt++) {
      const decision = decide(this.graphLog.graph);
      if (!decision.ok) return decision;
      let graph = this.graphLog.graph;
      const events: NewEvent[] = decision.value.map((event) => {
        graph = evolve(graph, event);
        const metadata: IdentityDecisionMetadata = { causationId: requestId };
        return { id: randomUUID(), type: event.type, data: event.data, metadata };
      });
      if (await this.graphLog.tryAppend(events, graph)) {
        return { ok: true, value: { events: decision.value } };
      }
      if (attempt >= MAX_ATTEMPTS)
        throw new Error(`identity command: the graph moved ${attempt} times under it`);
    }
  }
}
