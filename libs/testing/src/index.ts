export * from './workload/demo-touchpoints';
export * from './services/service-probes';
export * from './services/obtain-service';
export * from './services/test-services';
export * from './processes/service-process';
export * from './services/private-kafka';
export * from './workload/seeded-random';
export * from './processes/until-passes';
