import { describeCustomerAnnotationsContract } from '../../contract/customer-annotations-contract';
import {
  describeLiveChangesContract,
  describePresenceContract,
} from '../../contract/live-contract';
import { MemoryCustomerAnnotations } from './memory-customer-annotations';
import { memoryLiveChanges, memoryPresenceStore } from './memory-live';

describeCustomerAnnotationsContract({
  name: 'memory',
  open: async () => new MemoryCustomerAnnotations(),
});
describeLiveChangesContract({
  name: 'memory',
  open: async () => {
    const live = memoryLiveChanges();
    return { publisher: live, subscriber: live };
  },
  close: async ({ publisher }) => publisher.close(),
});
describePresenceContract({ name: 'memory', open: async () => memoryPresenceStore() });
