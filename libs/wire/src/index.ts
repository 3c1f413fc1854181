export * from './cloudevents/cloud-event-envelope';
export * from './cloudevents/parse-inbound-event';
export * from './cloudevents/to-log-event';
export * from './validation/validate-dto';
export * from './tracing/cloud-event-trace';
export * from './tracing/trace-context';
export * from './tracing/drawn-roots';
