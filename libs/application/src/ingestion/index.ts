export * from './ingest-touchpoints';
export * from './coalescing-appender';
