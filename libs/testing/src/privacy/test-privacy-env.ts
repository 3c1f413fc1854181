import { ensureTestPrivacyEnv } from './privacy-env';

// Jest setup file: the global setup set the run's keys before the workers started; a run
// without it (the unit tier) gets its own here.
ensureTestPrivacyEnv();
