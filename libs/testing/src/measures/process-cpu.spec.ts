import { processCpuSeconds } from './process-cpu';

describe('processCpuSeconds', () => {
  it('grows while this process works', () => {
    const before = processCpuSeconds(process.pid);
    const until = Date.now() + 100;
    let spins = 0;
    while (Date.now() < until) spins += 1;
    expect(spins).toBeGreaterThan(0);
    expect(processCpuSeconds(process.pid)).toBeGreaterThan(before);
  });

  it('is NaN for a process that does not exist', () => {
    expect(processCpuSeconds(2 ** 30)).toBeNaN();
  });
});
