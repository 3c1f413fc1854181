export * from './timeline/timeline-read-model';
export * from './timeline/memory-timeline-read-model';
export * from './timeline/timeline-projection';
export * from './projection/projection-runner';
export * from './projection/running-projection';
export * from './projection/checkpoint';
export * from './open-read-models';
