#!/usr/bin/env node
// Builds the staff console (Vite) into dist/apps/console when the build is missing or older
// than its sources; `--force` builds anyway. Run by `npm install`/`npm ci` (postinstall) and
// by `rapport dev` (`npm start`) before it serves the console, so a fresh clone needs no
// extra step. Builds into a fresh folder and swaps it in, so a server never sees half a build.
const { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'dist', 'apps', 'console');
const STAMP = join(OUT, '.built-at');
const SOURCES = ['src', 'index.html', 'vite.config.mts', 'build-if-stale.cjs'].map((p) =>
  join(__dirname, p),
);

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), 0);
}

function isStale() {
  if (!existsSync(STAMP)) return 'no build yet';
  const built = statSync(STAMP).mtimeMs;
  const changed = [...SOURCES, join(ROOT, 'package-lock.json')].find((p) => newestMtime(p) > built);
  return changed ? `${relative(ROOT, changed)} changed since the last build` : undefined;
}

function main() {
  const force = process.argv.includes('--force');
  const reason = force ? 'asked to' : isStale();
  if (!reason) return 0;
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) {
    console.error(
      'console: not built (Vite is not installed: `npm ci` without --omit=dev installs it)',
    );
    return force ? 1 : 0;
  }
  console.log(`console: building apps/console (${reason}) …`);
  const started = Date.now();
  const tmp = `${OUT}.building-${process.pid}`;
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--config', join(__dirname, 'vite.config.mts'), '--logLevel', 'warn'],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production', RAPPORT_CONSOLE_OUT_DIR: tmp },
    },
  );
  if (result.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    console.error('console: the build failed (see above); the API runs without the console');
    return 1;
  }
  writeFileSync(join(tmp, '.built-at'), new Date().toISOString() + '\n');
  rmSync(OUT, { recursive: true, force: true });
  renameSync(tmp, OUT);
  console.log(
    `console: built in ${((Date.now() - started) / 1000).toFixed(1)} s → dist/apps/console`,
  );
  return 0;
}

process.exitCode = main();
