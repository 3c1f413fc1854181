import { type IdentityPolicy } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { type ReadModels, type RunningProjection } from '@rapport/read-models';
import { IdentityGraphLog } from './identity-graph-log';
import { IdentityResolution } from './identity-resolution';

export const IDENTITY_RESOLUTION = 'identity-resolution';

/**
 * Starts identity resolution: it reads touchpoints from the log and appends the links and
 * merges they imply to the log, under the read-model backend's lease for
 * `identity-resolution` (one decider at a time). Resolves once it has caught up.
 */
export function startIdentityResolution(
  readModels: Pick<ReadModels, 'startLeasedProcess'>,
  store: EventStore,
  log: (line: string) => void,
  policy?: IdentityPolicy,
): Promise<RunningProjection> {
  return readModels.startLeasedProcess(store, log, {
    name: IDENTITY_RESOLUTION,
    target: () => new IdentityResolution(new IdentityGraphLog(store), policy),
    batchSize: 1000,
  });
}

/**
 * A projection with companions that append to the log (identity resolution): it stops them
 * with itself, and `waitFor(position)` waits until the companions have handled the log up
 * to `position` and the projection has applied what they appended (read-your-writes,
 * identities included).
 */
export function withCompanions(
  main: RunningProjection,
  companions: readonly RunningProjection[],
  head: () => Promise<number>,
): RunningProjection {
  return {
    status: () => main.status(),
    waitFor: async (position, timeoutMs) => {
      await Promise.all(companions.map((c) => c.waitFor(position, timeoutMs)));
      await main.waitFor(Math.max(position, await head()), timeoutMs);
    },
    stop: async () => {
      await Promise.all(companions.map((c) => c.stop()));
      await main.stop();
    },
    companions,
  };
}
