import { readFileSync } from 'node:fs';

/**
 * CPU seconds a process has used so far, user and system (Linux `/proc/<pid>/stat`); NaN where
 * that cannot be read (no such process, or no `/proc`). Benchmarks read it before and after a
 * run for each process that shares the machine (a service, the broker, Redis).
 */
export function processCpuSeconds(pid: number): number {
  try {
    // The command name (in parentheses) may hold spaces: the fields are counted after it.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in 1/100 s
  } catch {
    return Number.NaN;
  }
}
