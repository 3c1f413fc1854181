'use strict';
// Finds kafkajs for the local-service scripts (wait-for-kafka.js, verify-kafka.js).
//
// Order:
//   1. the repository's own node_modules (require.resolve with paths: [repoRoot]);
//   2. every directory listed in NODE_PATH (e.g. a scratch install:
//        npm i kafkajs@2.2.4 --prefix /tmp/kjs && export NODE_PATH=/tmp/kjs/node_modules);
//   3. a plain require from this directory.
// Returns null when kafkajs cannot be found; callers decide whether that is fatal.

const fs = require('fs');
const path = require('path');

const repoRoot = path.resolve(__dirname, '..', '..', '..');

function candidates() {
  const list = [repoRoot];
  for (const dir of (process.env.NODE_PATH || '').split(path.delimiter)) {
    if (dir) list.push(dir);
  }
  return list;
}

function loadKafkajs() {
  let resolved = null;
  for (const base of candidates()) {
    try {
      resolved = require.resolve('kafkajs', { paths: [base] });
      break;
    } catch {
      // try the next place
    }
  }
  if (!resolved) {
    try {
      resolved = require.resolve('kafkajs');
    } catch {
      return null;
    }
  }
  const mod = require(resolved);
  let version = 'unknown';
  try {
    // .../node_modules/kafkajs/index.js -> .../node_modules/kafkajs/package.json
    let dir = path.dirname(resolved);
    while (dir !== path.dirname(dir)) {
      const pkg = path.join(dir, 'package.json');
      if (fs.existsSync(pkg)) {
        const json = JSON.parse(fs.readFileSync(pkg, 'utf8'));
        if (json.name === 'kafkajs') {
          version = json.version;
          break;
        }
      }
      dir = path.dirname(dir);
    }
  } catch {
    // version is informational only
  }
  return { kafkajs: mod, path: resolved, version };
}

module.exports = { loadKafkajs, repoRoot };
