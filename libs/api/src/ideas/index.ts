export * from './idea-tokens';
export * from './ideas.module';
export * from './idea-commands.controller';
export * from './idea-queries.controller';
export * from './idea-loop.module';
