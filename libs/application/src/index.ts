export * from './ingestion';
export * from './identity';
export * from './ideas';
export * from './access/adapter-keys';
export * from './privacy/suppression-list';
export * from './privacy/customer-erasure';
export * from './annotations';
