import { type IdentityPolicy } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { ProjectionRunner } from '../projection/projection-runner';
import { type RunningProjection } from '../projection/running-projection';
import { IdentityGraphLog } from './identity-graph-log';
import { IdentityResolution } from './identity-resolution';

/** Starts identity resolution over the log; resolves once it has caught up. */
export async function startIdentityResolution(
  store: EventStore,
  log: (line: string) => void,
  policy?: IdentityPolicy,
): Promise<ProjectionRunner> {
  const runner = new ProjectionRunner(
    store,
    new IdentityResolution(new IdentityGraphLog(store), policy),
    { log, batchSize: 1000 },
  );
  await runner.start();
  return runner;
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
