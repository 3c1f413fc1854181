export * from './customer-resolver';
export * from './idea-service';
export * from './idea-intake-projection';
export * from './supporter-contacts';
export * from './outbound-publisher';
export * from './idea-status-notifier';
export * from './log-checkpoint';
export * from './start-idea-loop';
