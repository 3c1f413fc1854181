export * from './config/rapport-config';
export * from './platform/tokens';
export * from './platform/platform.module';
export * from './platform/all-in-one.module';
export * from './http/create-http-app';
export * from './http/problem';
export * from './touchpoints/touchpoints.module';
export * from './timeline/timeline.module';
