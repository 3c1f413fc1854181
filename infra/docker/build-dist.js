#!/usr/bin/env node
// Compiles the three services to plain JavaScript for the production image (Dockerfile), or
// into any folder: `node infra/docker/build-dist.js [outDir]` (default `dist`).
//
// The output mirrors the source tree (dist/apps/…, dist/libs/…), with what the code reads
// at run time beside it (the Lua scripts of the Redis read models, infra/kafka/*.json), a
// package per `@rapport/*` alias in dist/node_modules (so Node resolves them with no loader),
// and dist/service.js, which starts one service: `node dist/service.js ingestor`.
'use strict';
const { execFileSync } = require('node:child_process');
const { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');

const root = resolve(__dirname, '..', '..');
const out = resolve(root, process.argv[2] || 'dist');
rmSync(out, { recursive: true, force: true });

execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', out],
  { stdio: 'inherit', cwd: root },
);

// Files the code reads beside itself: Lua scripts next to their modules, Kafka definitions.
const copyWhere = (dir, keep) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyWhere(path, keep);
    else if (keep(name)) {
      const target = join(out, relative(root, path));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
};
copyWhere(join(root, 'libs'), (name) => name.endsWith('.lua'));
copyWhere(join(root, 'infra', 'kafka'), (name) => name.endsWith('.json'));

// `@rapport/<lib>` → dist/libs/<lib>/src/index.js (and the deep aliases the services use).
const { compilerOptions } = require(join(root, 'tsconfig.base.json'));
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  if (
    target.startsWith('libs/testing/') ||
    target.includes('spec-helper') ||
    target.includes('fake-')
  )
    continue;
  const pkg = join(out, 'node_modules', alias);
  mkdirSync(pkg, { recursive: true });
  const compiled = join(out, target.replace(/\.ts$/, '.js'));
  writeFileSync(
    join(pkg, 'index.js'),
    `module.exports = require(${JSON.stringify(
      relative(pkg, compiled)
        .split('\\')
        .join('/')
        .replace(/^(?!\.)/, './'),
    )});\n`,
  );
}

writeFileSync(
  join(out, 'service.js'),
  `'use strict';
// Starts one Rapport service from the compiled output: node service.js <ingestor|projector|query-api>
const services = ['ingestor', 'projector', 'query-api'];
const name = process.argv[2];
if (!services.includes(name)) {
  console.error('usage: service.js <' + services.join('|') + '>');
  process.exit(2);
}
require('./apps/' + name + '/src/main.js');
`,
);
console.log(`compiled the services into ${relative(process.cwd(), out) || '.'}`);
