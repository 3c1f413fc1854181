/**
 * `@rapport/read-models/internals`: the backends' adapters and tools, for benchmarks and
 * tests that drive or inspect one backend directly. Services and the CLI open the read
 * models with `openReadModels` (`@rapport/read-models`).
 */
export { MemoryTimelineReadModel } from './backends/memory/memory-timeline-read-model';
export { RedisClosenessReadModel } from './backends/redis/closeness/redis-closeness-read-model';
export { RedisIdeaBacklogReadModel } from './backends/redis/ideas/redis-idea-backlog-read-model';
export { RedisTimelineReadModel } from './backends/redis/timeline/redis-timeline-read-model';
export { StringPacker } from './backends/redis/packed-strings';
export { keysStartingWith, unlinkKeysStartingWith } from './backends/redis/unlink-keys';
export { cleanRebuildDump, liveModelsAt, readModelDump } from './backends/redis/rebuild-comparison';
export { allPages } from './contract/timeline-read-model-contract';
