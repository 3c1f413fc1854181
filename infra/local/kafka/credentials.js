'use strict';
// Where kafka.sh keeps the local broker's SASL/SCRAM credentials, for the Node scripts next to
// it (wait-for-kafka.js, verify-kafka.js, kafka-acls.js).
//
//   <state>/kafka/credentials/<principal>.password   one generated password per principal (0600)
//
// <state> is $RAPPORT_LOCAL_STATE, else <repo>/.local-services, as in kafka.sh. The passwords
// are generated on the first start and never leave the state directory; nothing is committed.

const fs = require('fs');
const path = require('path');
const { repoRoot } = require('./load-kafkajs');

const MECHANISM = 'scram-sha-512';

function stateRoot() {
  const state = process.env.RAPPORT_LOCAL_STATE || path.join(repoRoot, '.local-services');
  return path.resolve(state);
}

function credentialsDir() {
  return path.join(stateRoot(), 'kafka', 'credentials');
}

function passwordFile(principal) {
  return path.join(credentialsDir(), `${principal}.password`);
}

/** The password in a file (one line; surrounding whitespace ignored), or null when there is none. */
function readPasswordFile(file) {
  try {
    const password = fs.readFileSync(file, 'utf8').trim();
    return password === '' ? null : password;
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * kafkajs `sasl` settings: an explicit user and password file, else the admin of this state
 * directory, else null (a broker without authentication, or one this state dir did not start).
 */
function saslOptions({ username, passwordFile: file } = {}) {
  const user = username || 'admin';
  const source = file || passwordFile(user);
  const password = readPasswordFile(source);
  if (password === null) {
    if (file) throw new Error(`no password in ${file}`);
    return null;
  }
  return { mechanism: MECHANISM, username: user, password };
}

module.exports = {
  MECHANISM,
  stateRoot,
  credentialsDir,
  passwordFile,
  readPasswordFile,
  saslOptions,
};
