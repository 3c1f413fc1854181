// The domain's class-transformer decorators need the Reflect metadata API when they load,
// and topics.ts imports @rapport/domain: a script importing only this package must not crash.
import 'reflect-metadata';
export * from './topics';
export * from './kafka/kafka-bus-url';
export * from './kafka/kafka-config';
export * from './kafka/topic-definitions';
export * from './kafka/ensure-topics';
export * from './kafka/access-control';
export * from './cloudevents/kafka-binding';
export * from './kafka/fetch-records';
