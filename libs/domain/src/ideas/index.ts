export * from './idea-events';
export * from './idea-refusal';
export * from './idea-status';
export * from './customer-redirects';
export * from './idea';
export * from './decide-idea';
export * from './idea-view';
export * from './backlog-ranking';
