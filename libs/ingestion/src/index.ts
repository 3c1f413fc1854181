export * from './ingest-touchpoints';
