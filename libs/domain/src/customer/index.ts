export * from './identity-activity';
export * from './customer-profile';
export * from './filing-identity';
export * from './customer-answering-for';
export * from './customer-name';
