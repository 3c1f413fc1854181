export * from './identity-activity';
export * from './customer-profile';
