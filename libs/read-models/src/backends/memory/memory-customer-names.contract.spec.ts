import { describeMergeSuggestionQueueContract } from '../../contract/merge-suggestion-queue-contract';
import { describeCustomerNamesContract } from '../../contract/customer-names-contract';
import { MemoryTimelineReadModel } from './memory-timeline-read-model';

describeCustomerNamesContract({ name: 'memory', open: async () => new MemoryTimelineReadModel() });

describeMergeSuggestionQueueContract({
  name: 'memory',
  open: async () => new MemoryTimelineReadModel(),
});
