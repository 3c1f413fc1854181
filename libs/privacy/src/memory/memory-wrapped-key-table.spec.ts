import { describeSubjectKeyStoreContract } from '../contract/subject-key-store-contract';
import { MemoryWrappedKeyTable } from './memory-wrapped-key-table';

let table = new MemoryWrappedKeyTable();
describeSubjectKeyStoreContract({
  name: 'memory',
  open: async () => (table = new MemoryWrappedKeyTable()),
  // Stores over one instance stand for processes over one database.
  reopen: async () => table,
});
