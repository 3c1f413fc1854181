export * from './event-store';
export * from './errors';
export * from './event-content';
export * from './expected-revision';
export * from './subscription/append-signal';
export * from './subscription/catch-up-subscription';
export * from './sqlite/sqlite-event-store';
export * from './open-event-store';
