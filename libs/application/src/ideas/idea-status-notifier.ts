import {
  foldIdea,
  type IdeaEvent,
  ideaEventFrom,
  IdeaEventTypes,
  type IdeaStatusChangedV1,
  type IdeaStatusNotification,
  ideaStatusNotification,
  ideaStreamId,
  customerStreamId,
  outboundTouchpointOf,
  type Idea,
} from '@rapport/domain';
import { type EventStore, type RecordedEvent } from '@rapport/event-store';
import {
  CheckpointMismatchError,
  type CheckpointRange,
  type ProjectionTarget,
  readsNoPersonalData,
} from '@rapport/read-models';
import {
  type CustomerDirectorySource,
  type CustomerRedirectsSource,
  IDENTITY_RESOLVER,
  type ResolveCustomer,
} from './customer-resolver';
import { LogCheckpoint } from './log-checkpoint';
import { type OutboundPublisher } from './outbound-publisher';
import { notifierSends, type NotifierSendsReport } from './notifier-diagnostics';
import { type SupporterContacts } from './supporter-contacts';
import { context } from '@opentelemetry/api';
import { contextOfStoredTrace } from '@rapport/wire';

/** The notifier's name: its status, and its lease with Redis read models. */
export const IDEA_NOTIFIER = 'idea-notifier';
/** The log stream that holds the notifier's checkpoint: it survives every read-model rebuild. */
export const NOTIFIER_CHECKPOINT_STREAM = 'ideas-notifier';

export interface IdeaStatusNotifierOptions {
  readonly store: EventStore;
  readonly publisher: OutboundPublisher;
  readonly contacts: SupporterContacts;
  readonly resolveCustomer?: ResolveCustomer;
  /** A snapshot of all redirects (e.g. `identityGraphRedirects(store)`); wins over `resolveCustomer`. */
  readonly customerRedirects?: CustomerRedirectsSource;
  /**
   * Redirects and each person's ids (e.g. `identityGraphDirectory(store)`); wins over both
   * above, and lets the main channel count the touchpoints of every merged id.
   */
  readonly customerDirectory?: CustomerDirectorySource;
  readonly log?: (line: string) => void;
}

/**
 * Closes the loop: for every `idea.status-changed` in the log, one notification per
 * supporter (a person counted once across merged customer ids) on the channel they use
 * most — published to `rapport.outbound`, then recorded on their timeline as an outbound
 * touchpoint whose log id is the notification id.
 *
 * Sent once, checkpoint in the log (`ideas-notifier`), written after each batch that held
 * status changes; a notification whose outbound touchpoint is already in the log is
 * skipped. A crash between publishing and recording can publish one again with the same
 * CloudEvents id (docs/decisions/0017-notifier-checkpoint-in-the-log.md).
 */
export class IdeaStatusNotifier implements ProjectionTarget {
  readonly name = IDEA_NOTIFIER;
  // Status changes (staff texts); the idea's own events are read from its stream.
  readonly personalDataOf = readsNoPersonalData;
  readonly handles = (event: RecordedEvent): boolean => event.type === IdeaEventTypes.statusChanged;
  private position: number | null = null;
  private readonly resolve: ResolveCustomer;
  private readonly log: (line: string) => void;
  private readonly stored: LogCheckpoint;

  constructor(private readonly options: IdeaStatusNotifierOptions) {
    this.stored = new LogCheckpoint(options.store, NOTIFIER_CHECKPOINT_STREAM);
    this.resolve = options.resolveCustomer ?? IDENTITY_RESOLVER;
    this.log = options.log ?? (() => undefined);
  }

  async checkpoint(): Promise<number> {
    this.position ??= await this.stored.read();
    return this.position;
  }

  async applyBatch(events: readonly RecordedEvent[], range: CheckpointRange): Promise<void> {
    const at = await this.checkpoint();
    if (range.after !== at) throw new CheckpointMismatchError(this.name, range.after, at);
    let changes = 0;
    for (const event of events) {
      if (event.type !== IdeaEventTypes.statusChanged) continue;
      changes += 1;
      const notifications = await this.notificationsFor(event);
      const unsent: IdeaStatusNotification[] = [];
      for (const n of notifications) if (!(await this.recorded(n))) unsent.push(n);
      // The notifications continue the trace of the status change that caused them.
      await context.with(contextOfStoredTrace(event.metadata), () =>
        this.options.publisher.publish(unsent),
      );
      if (unsent.length > 0 && notifierSends.hasSubscribers)
        notifierSends.publish({ sent: unsent.length } satisfies NotifierSendsReport);
      const outcomes = await this.options.store.appendMany(
        unsent.map((n) => {
          const { streamId, ...tp } = outboundTouchpointOf(n);
          return { streamId, events: [tp], expectedRevision: 'any' as const };
        }),
      );
      const failed = outcomes.find((o) => !o.ok);
      if (failed && !failed.ok) throw failed.error;
      if (unsent.length)
        this.log(
          `idea ${event.streamId}: ${unsent.length} supporter(s) notified of ${(event.data as IdeaStatusChangedV1).to}`,
        );
    }
    if (changes > 0) await this.stored.write(range.upTo);
    this.position = range.upTo;
  }

  /** The notifications of one status change: the idea as it was then, its supporters now. */
  async notificationsFor(event: RecordedEvent): Promise<IdeaStatusNotification[]> {
    const change = event.data as IdeaStatusChangedV1;
    const recorded = await this.options.store.readStream(ideaStreamId(change.ideaId), {
      maxCount: event.revision + 1,
    });
    const idea = foldIdea(recorded.map(ideaEventFrom).filter((e): e is IdeaEvent => e !== null));
    if (!idea) return [];
    const people = new Map<string, string[]>();
    const directory = await this.options.customerDirectory?.();
    const snapshot = directory?.redirects ?? (await this.options.customerRedirects?.());
    for (const customerId of idea.votes.keys()) {
      const person = snapshot
        ? snapshot(customerId)
        : ((await this.resolve(customerId)) ?? customerId);
      people.set(person, [...(people.get(person) ?? [person]), customerId]);
    }
    const out: IdeaStatusNotification[] = [];
    for (const [person, ids] of [...people].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const contact = await this.options.contacts(
        [...ids, ...(directory?.idsOf(person) ?? [])],
        event.position,
      );
      if (!contact) {
        this.log(
          `idea ${idea.id}: supporter ${person} has no inbound touchpoint to answer on; not notified`,
        );
        continue;
      }
      out.push(
        ideaStatusNotification({
          statusEventId: event.id,
          change,
          title: quotableTitle(idea, [...ids, ...(directory?.idsOf(person) ?? [])]),
          customerId: person,
          contact,
        }),
      );
    }
    return out;
  }

  /** Whether the notification's outbound touchpoint is already in the log (recent events of the stream). */
  private async recorded(n: IdeaStatusNotification): Promise<boolean> {
    const recent = await this.options.store.readStream(customerStreamId(n.customerId), {
      direction: 'backwards',
      maxCount: 200,
    });
    return recent.some((e) => e.id === n.id);
  }
}

/** The title when the supporter wrote it (or staff did), else null: see `ideaStatusNotification`. */
function quotableTitle(idea: Idea, supporterIds: readonly string[]): string | null {
  if (typeof idea.title !== 'string') return null; // erased with its author
  if (idea.origin.kind === 'staff') return idea.title;
  return supporterIds.includes(idea.submittedBy) ? idea.title : null;
}
