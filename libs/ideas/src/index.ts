export * from './customer-resolver';
export * from './idea-service';
