import { describeCustomerNamesContract } from '../../contract/customer-names-contract';
import { MemoryTimelineReadModel } from './memory-timeline-read-model';

describeCustomerNamesContract({ name: 'memory', open: async () => new MemoryTimelineReadModel() });
