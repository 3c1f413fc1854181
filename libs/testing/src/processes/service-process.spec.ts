import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './service-process';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A benchmark that throws and exits must not leave the processes it started running. */
describe('startProcess', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rapport-start-process-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ends the processes it started when the process that started them exits', async () => {
    // A stand-in for a service: says where it listens, then runs until it is told to stop.
    const service = join(dir, 'service.js');
    writeFileSync(
      service,
      "console.log('listening on http://127.0.0.1:1'); setInterval(() => {}, 1000);",
    );
    // A "benchmark" that starts it and then fails with process.exit(1), as the benches do.
    const bench = join(dir, 'bench.js');
    const pidFile = join(dir, 'pid');
    writeFileSync(
      bench,
      `const { startProcess } = require(${JSON.stringify(join(__dirname, 'service-process.ts'))});
       startProcess({ args: [${JSON.stringify(service)}] }).then((p) => {
         require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(p.pid));
         process.exit(1);
       });`,
    );
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', bench], {
      cwd: REPO_ROOT,
      timeout: 60_000,
      encoding: 'utf8',
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 1, stderr: '' });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      const deadline = Date.now() + 5000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(alive(pid)).toBe(false);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
