export * from './timeline/timeline-read-model';
export * from './timeline/memory-timeline-read-model';
export * from './timeline/timeline-projection';
export * from './projection/projection-runner';
export * from './open-read-models';
