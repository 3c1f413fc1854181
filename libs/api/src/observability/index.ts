export * from './instrumented-event-store';
export * from './observability.module';
export * from './rapport-metrics';
export * from './readiness';
export * from './scrape-token';
export * from './service-logger';
export * from './shutdown-deadline';
export * from './tracing';
