export * from './annotation-events';
export * from './annotation-rules';
