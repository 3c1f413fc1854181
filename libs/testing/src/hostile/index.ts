export * from './hostile-events';
export * from './hostile-values';
export * from './hostile-variant';
export * from './schema-paths';
