export * from './service-tracing';
export * from './start-tracing';
export * from './trace-log-fields';
