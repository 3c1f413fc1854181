import { describeSubjectKeyStoreContract } from '../contract/subject-key-store-contract';
import { MemoryWrappedKeyTable } from './memory-wrapped-key-table';

describeSubjectKeyStoreContract({
  name: 'memory',
  open: async () => new MemoryWrappedKeyTable(),
});
