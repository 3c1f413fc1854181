export * from './ingestion';
export * from './identity';
export * from './ideas';
export * from './access/adapter-keys';
