export * from './identity-graph-log';
export * from './identity-resolution';
export * from './start-identity-resolution';
export * from './identity-commands';
export * from './identity-diagnostics';
