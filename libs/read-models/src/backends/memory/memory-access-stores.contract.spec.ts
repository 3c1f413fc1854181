import { describeAccessStoresContract } from '../../contract/access-stores-contract';
import { memoryAccessStores } from './memory-access-stores';

describeAccessStoresContract({ name: 'memory', open: async () => memoryAccessStores() });
