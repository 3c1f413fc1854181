import {
  type Channel,
  ideaCommandOfTouchpoint,
  type IdeaCommand,
  IdeaRefusedError,
  type IngestedEventMetadata,
  parseEventType,
} from '@rapport/domain';
import { type EventStore, type RecordedEvent } from '@rapport/event-store';
import { CheckpointMismatchError, type ProjectionTarget } from '@rapport/read-models';
import { type IdeaService } from './idea-service';
import { LogCheckpoint } from './log-checkpoint';

/** The intake's name: its status, and its lease with Redis read models. */
export const IDEA_INTAKE = 'idea-intake';
/** The log stream that holds the intake's checkpoint. */
export const INTAKE_CHECKPOINT_STREAM = 'ideas-intake';

/** Refusals that mean "already done" or "nothing to do" for a touchpoint: logged, skipped. */
const SKIPPED = new Set([
  'duplicate-touchpoint',
  'idea-exists',
  'already-voted',
  'not-voted',
  'unknown-idea',
  'idea-closed',
  'invalid-field',
]);

/**
 * Follows the log and turns inbound touchpoints that carry `idea.action` metadata into idea
 * commands (submit, vote, withdraw), on any channel. Safe to replay from the start: every
 * command names its touchpoint, and an idea refuses a touchpoint it has already seen; the
 * events it writes have ids derived from the touchpoint. Its checkpoint is kept in the log
 * (`ideas-intake`), written after batches that held idea touchpoints.
 */
export function ideaIntakeProjection(
  service: IdeaService,
  store: EventStore,
  log: (line: string) => void = () => undefined,
  checkpointStream = INTAKE_CHECKPOINT_STREAM,
): ProjectionTarget {
  const stored = new LogCheckpoint(store, checkpointStream);
  let position: number | null = null;
  return {
    name: IDEA_INTAKE,
    personalDataOf: carriesIdeaAction,
    handles: carriesIdeaAction,
    checkpoint: async () => (position ??= await stored.read()),
    async applyBatch(events, range) {
      const at = (position ??= await stored.read());
      if (range.after !== at) throw new CheckpointMismatchError(IDEA_INTAKE, range.after, at);
      let commands = 0;
      for (const event of events) {
        const found = intakeOf(event);
        if (!found) continue;
        commands += 1;
        await run(service, found.ideaId, found.command, log);
      }
      if (commands > 0) await stored.write(range.upTo);
      position = range.upTo;
    },
  };
}

/** A touchpoint with `idea.action` metadata: the only events whose texts the intake reads. */
function carriesIdeaAction(event: RecordedEvent): boolean {
  if (parseEventType(event.type)?.name !== 'touchpoint.recorded') return false;
  const metadata = (event.data as { metadata?: unknown } | null)?.metadata;
  return typeof metadata === 'object' && metadata !== null && 'idea.action' in metadata;
}

function intakeOf(event: RecordedEvent) {
  if (!carriesIdeaAction(event)) return null;
  const data = event.data as {
    channel: Channel;
    direction: 'inbound' | 'outbound';
    metadata: Record<string, string | number | boolean>;
  };
  const meta = event.metadata as IngestedEventMetadata;
  return ideaCommandOfTouchpoint({
    eventId: event.id,
    customerId: meta.customerId,
    channel: data.channel,
    direction: data.direction,
    occurredAt: meta.occurredAt,
    metadata: data.metadata,
  });
}

async function run(
  service: IdeaService,
  ideaId: string,
  command: IdeaCommand,
  log: (line: string) => void,
): Promise<void> {
  let id = ideaId;
  for (let hops = 0; hops < 32; hops += 1) {
    try {
      await service.execute(id, command);
      return;
    } catch (error) {
      if (!(error instanceof IdeaRefusedError)) throw error;
      const refusal = error.refusals[0];
      if (refusal?.code === 'idea-merged' && refusal.redirectTo) {
        id = refusal.redirectTo; // the duplicate went into another idea: vote there
        continue;
      }
      if (refusal && SKIPPED.has(refusal.code)) {
        if (refusal.code !== 'duplicate-touchpoint') log(`idea intake: ${error.message}`);
        return;
      }
      throw error;
    }
  }
}
