export * from './workload/demo-touchpoints';
