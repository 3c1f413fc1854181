export * from './closeness-config';
export * from './forward-decay';
export * from './closeness-fact';
export * from './closeness-state';
export * from './closeness-score';
export * from './closeness-report';
export * from './closeness-membership';
