import { randomUUID } from 'node:crypto';
import {
  type ChangeIdeaStatus,
  type CommentOnIdea,
  decideIdea,
  decideIdeaAbsorb,
  decideIdeaMerge,
  foldIdea,
  type Idea,
  type IdeaCommand,
  type IdeaEvent,
  ideaEventFrom,
  type IdeaMergedV1,
  IdeaRefusedError,
  type IdeaState,
  ideaStreamId,
  type MergeIdeas,
  type SubmitIdea,
  type VoteForIdea,
  type WithdrawVote,
} from '@rapport/domain';
import {
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  WrongExpectedRevisionError,
} from '@rapport/event-store';
import { v5 as uuidv5 } from 'uuid';
import {
  type CustomerRedirectsSource,
  IDENTITY_RESOLVER,
  type ResolveCustomer,
  redirectsFor,
} from './customer-resolver';
import { activeTraceMetadata } from '@rapport/wire';

/** Namespace of idea event ids derived from what caused them (a touchpoint, a merge). */
const IDEA_EVENT_NAMESPACE = '0d4b7f52-6c1e-4a8e-9b3f-2e5a7c9d1f60';

export interface IdeaServiceOptions {
  /** Where a customer id leads today (merged customers count once). */
  readonly resolveCustomer?: ResolveCustomer;
  /** Or: a snapshot of all redirects per command (e.g. `identityGraphRedirects(store)`); wins over `resolveCustomer`. */
  readonly customerRedirects?: CustomerRedirectsSource;
  /** How often a command is decided again after another writer got in first; default 25. */
  readonly retries?: number;
}

/** An idea as loaded: its state and the revision of its stream (-1: no stream). */
export interface LoadedIdea {
  readonly state: IdeaState;
  readonly revision: number;
}

export interface CommandResult {
  readonly ideaId: string;
  readonly events: readonly IdeaEvent[];
  /** The stream's revision after the command (pass it as `expectedRevision` next time). */
  readonly revision: number;
  /** The log position of the last event written (0 when nothing was written). */
  readonly position: number;
}

/** `expectedRevision` from a client: the command fails with a conflict if the idea moved on. */
export interface CommandOptions {
  readonly expectedRevision?: number;
}

/** Another writer changed the idea since the client (or every retry) read it. */
export class IdeaConflictError extends Error {
  override readonly name = 'IdeaConflictError';
  constructor(
    readonly ideaId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number,
  ) {
    super(
      `idea ${ideaId} changed concurrently: expected revision ${String(expected)}, it is at ${actual}`,
    );
  }
}

/**
 * The idea use cases: load the stream `idea-<id>`, decide, append with the revision read
 * (optimistic concurrency). Without a client revision a conflict is retried with a fresh
 * read; with one, it is reported (`IdeaConflictError`). Refusals throw `IdeaRefusedError`.
 */
export class IdeaService {
  private readonly resolveCustomer: ResolveCustomer;
  private readonly customerRedirects: CustomerRedirectsSource | undefined;
  private readonly retries: number;

  constructor(
    private readonly store: EventStore,
    options: IdeaServiceOptions = {},
  ) {
    this.resolveCustomer = options.resolveCustomer ?? IDENTITY_RESOLVER;
    this.customerRedirects = options.customerRedirects;
    this.retries = options.retries ?? 25;
  }

  async load(ideaId: string): Promise<LoadedIdea> {
    const recorded = await this.store.readStream(ideaStreamId(ideaId));
    const events = recorded.map(ideaEventFrom).filter((e): e is IdeaEvent => e !== null);
    return { state: foldIdea(events), revision: recorded.length - 1 };
  }

  /** The idea, following merge redirects to the idea that took it in. */
  async find(ideaId: string): Promise<Idea | null> {
    let id = ideaId;
    for (let hops = 0; hops < 32; hops += 1) {
      const { state } = await this.load(id);
      if (!state?.mergedInto) return state;
      id = state.mergedInto;
    }
    return null;
  }

  submit(command: Omit<SubmitIdea, 'kind'>, options: CommandOptions = {}) {
    return this.execute(command.ideaId, { kind: 'submit', ...command }, options);
  }

  vote(ideaId: string, command: Omit<VoteForIdea, 'kind'>, options: CommandOptions = {}) {
    return this.execute(ideaId, { kind: 'vote', ...command }, options);
  }

  withdrawVote(ideaId: string, command: Omit<WithdrawVote, 'kind'>, options: CommandOptions = {}) {
    return this.execute(ideaId, { kind: 'withdraw-vote', ...command }, options);
  }

  comment(ideaId: string, command: Omit<CommentOnIdea, 'kind'>, options: CommandOptions = {}) {
    return this.execute(ideaId, { kind: 'comment', ...command }, options);
  }

  changeStatus(
    ideaId: string,
    command: Omit<ChangeIdeaStatus, 'kind'>,
    options: CommandOptions = {},
  ) {
    return this.execute(ideaId, { kind: 'change-status', ...command }, options);
  }

  /** Decides one command and appends its events at the revision it was decided on. */
  async execute(
    ideaId: string,
    command: IdeaCommand,
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    let loaded = await this.load(ideaId);
    for (let attempt = 0; ; attempt += 1) {
      const { state, revision } = loaded;
      if (options.expectedRevision !== undefined && options.expectedRevision !== revision) {
        throw new IdeaConflictError(ideaId, options.expectedRevision, revision);
      }
      const decision = decideIdea(state, command, await this.redirectsFor(state, command));
      if (!decision.ok) throw new IdeaRefusedError(decision.errors);
      try {
        return await this.append(ideaId, decision.value, revision, eventIdsFor(command));
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (options.expectedRevision !== undefined || attempt >= this.retries) {
          throw new IdeaConflictError(ideaId, error.expected, error.actual);
        }
        // Decided again on what was appended since, folded on: against an intake adding
        // votes every few milliseconds, a retry that reads the whole stream again (and
        // every voter's redirect) would rarely get its append in first.
        if (attempt > 0) await backoff(attempt);
        loaded = await this.loadSince(ideaId, loaded);
      }
    }
  }

  /** The loaded idea with the events appended after it folded on. */
  private async loadSince(ideaId: string, loaded: LoadedIdea): Promise<LoadedIdea> {
    const recorded = await this.store.readStream(ideaStreamId(ideaId), {
      fromRevision: loaded.revision + 1,
    });
    if (recorded.length === 0) return loaded;
    const events = recorded.map(ideaEventFrom).filter((e): e is IdeaEvent => e !== null);
    return {
      state: foldIdea(events, loaded.state),
      revision: recorded[recorded.length - 1].revision,
    };
  }

  /** Where customers lead today: only votes and withdrawals count them. */
  private async redirectsFor(state: IdeaState, command: IdeaCommand) {
    if (command.kind !== 'vote' && command.kind !== 'withdraw-vote') return undefined;
    if (this.customerRedirects) return this.customerRedirects();
    return redirectsFor([...(state?.votes.keys() ?? []), command.customerId], this.resolveCustomer);
  }

  /**
   * Merges `duplicateId` into `survivorId`: closes the duplicate (its supporters and
   * comments are final from then on), then brings them into the survivor. A failure
   * between the two appends is finished by calling `merge` again (it is idempotent).
   */
  async merge(
    duplicateId: string,
    survivorId: string,
    command: MergeIdeas,
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    const duplicate = await this.load(duplicateId);
    if (options.expectedRevision !== undefined && options.expectedRevision !== duplicate.revision) {
      throw new IdeaConflictError(duplicateId, options.expectedRevision, duplicate.revision);
    }
    let merged: IdeaMergedV1;
    if (duplicate.state?.mergedInto === survivorId) {
      // A retry after the duplicate's half was written: finish the survivor's half.
      const recorded = await this.store.readStream(ideaStreamId(duplicateId));
      const last = recorded
        .map(ideaEventFrom)
        .filter((e): e is IdeaEvent => e?.type === 'idea.merged.v1')
        .map((e) => e.data as IdeaMergedV1)
        .find((d) => d.mergedIdeaId === duplicateId);
      if (!last) throw new Error(`idea ${duplicateId}: merged, but no merge event found`);
      merged = last;
    } else {
      const survivor = await this.load(survivorId);
      const decision = decideIdeaMerge(duplicate.state, survivor.state, command);
      if (!decision.ok) throw new IdeaRefusedError(decision.errors);
      merged = decision.value.duplicate.data as IdeaMergedV1;
      try {
        await this.append(duplicateId, [decision.value.duplicate], duplicate.revision, () =>
          mergeEventId(merged, 'duplicate'),
        );
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        throw new IdeaConflictError(duplicateId, error.expected, error.actual);
      }
    }
    let target = survivorId;
    for (let attempt = 0; ; attempt += 1) {
      const survivor = await this.load(target);
      const decision = decideIdeaAbsorb(survivor.state, merged);
      if (!decision.ok) {
        // The survivor was itself merged before its half landed: the votes go where it went.
        const redirect = decision.errors[0]?.redirectTo;
        if (redirect && attempt < 32) {
          target = redirect;
          continue;
        }
        throw new IdeaRefusedError(decision.errors);
      }
      try {
        return await this.append(target, decision.value, survivor.revision, () =>
          mergeEventId(merged, 'survivor'),
        );
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= this.retries) throw error;
      }
    }
  }

  private async append(
    ideaId: string,
    events: readonly IdeaEvent[],
    revision: number,
    idFor: (event: IdeaEvent, index: number) => string,
  ): Promise<CommandResult> {
    if (events.length === 0) return { ideaId, events, revision, position: 0 };
    const newEvents: NewEvent[] = events.map((event, index) => ({
      id: idFor(event, index),
      type: event.type,
      data: event.data,
      metadata: { ideaId, ...activeTraceMetadata() },
    }));
    const result = await this.store.append(
      ideaStreamId(ideaId),
      newEvents,
      revision < 0 ? 'no_stream' : revision,
    );
    return { ideaId, events, revision: result.nextExpectedRevision, position: result.position };
  }
}

/**
 * A short random pause before deciding again, so racing writers spread out: full jitter,
 * doubling from 5 ms up to 40 ms (25 retries wait about half a second at most).
 */
function backoff(attempt: number): Promise<void> {
  const ceilingMs = 5 * 2 ** Math.min(attempt, 3);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceilingMs));
}

/**
 * Event ids: derived from the touchpoint a command came from (so a redelivered touchpoint
 * is one event in the log whatever happens), random otherwise.
 */
function eventIdsFor(command: IdeaCommand): (event: IdeaEvent, index: number) => string {
  const origin = 'origin' in command ? command.origin : undefined;
  if (origin?.kind !== 'touchpoint') return () => randomUUID();
  return (event, index) =>
    uuidv5(`${origin.touchpointEventId}\n${event.type}\n${index}`, IDEA_EVENT_NAMESPACE);
}

function mergeEventId(merged: IdeaMergedV1, half: 'duplicate' | 'survivor'): string {
  return uuidv5(
    `merge\n${merged.mergedIdeaId}\n${merged.survivorIdeaId}\n${half}`,
    IDEA_EVENT_NAMESPACE,
  );
}
