import { DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import { describeClosenessReadModelContract } from '../../contract/closeness-read-model-contract';
import { MemoryClosenessReadModel } from './memory-closeness-read-model';

// One line per adapter: every adapter passes the same contract (Redis: redis-closeness-read-model.spec.ts).
describeClosenessReadModelContract({
  name: 'memory',
  open: async () => new MemoryClosenessReadModel(DEFAULT_CLOSENESS_CONFIG),
});
