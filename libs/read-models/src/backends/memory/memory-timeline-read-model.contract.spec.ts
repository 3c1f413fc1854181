import { describeTimelineReadModelContract } from '../../contract/timeline-read-model-contract';
import { MemoryTimelineReadModel } from './memory-timeline-read-model';

// One line per adapter: every adapter passes the same contract.
describeTimelineReadModelContract({
  name: 'memory',
  open: async () => new MemoryTimelineReadModel(),
});
