import { describeIdeaBacklogReadModelContract } from '../../contract/idea-backlog-read-model-contract';
import { MemoryIdeaBacklogReadModel } from './memory-idea-backlog-read-model';

describeIdeaBacklogReadModelContract({
  name: 'memory',
  open: async () => new MemoryIdeaBacklogReadModel(),
});
