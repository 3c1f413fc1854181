export * from './ingestion';
export * from './identity';
export * from './ideas';
