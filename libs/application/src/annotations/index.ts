export * from './customer-annotation-commands';
