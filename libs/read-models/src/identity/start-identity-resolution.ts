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

/** A projection that stops its companions (here: identity resolution) with itself. */
export function withCompanions(
  main: RunningProjection,
  companions: readonly { stop(): Promise<void> }[],
): RunningProjection {
  return {
    status: () => main.status(),
    waitFor: (position, timeoutMs) => main.waitFor(position, timeoutMs),
    stop: async () => {
      await Promise.all(companions.map((c) => c.stop()));
      await main.stop();
    },
  };
}
