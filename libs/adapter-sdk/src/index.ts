// The domain's class-transformer decorators need the Reflect metadata API when they load,
// and the SDK validates with @rapport/domain: an adapter importing only this package must not crash.
import 'reflect-metadata';
export type { FieldError } from '@rapport/domain';
export * from './touchpoint-input';
export * from './publish-errors';
export * from './touchpoint-publisher';
