#!/usr/bin/env node
'use strict';
// The Kafka principals and ACLs of infra/kafka/acls.json, for infra/local/kafka.sh.
//
// Usage: node infra/local/kafka-acls.js principals [--plan <acls.json>]
//        node infra/local/kafka-acls.js apply [--brokers 127.0.0.1:9092] [--prefix <topic prefix>]
//                                            [--username admin] [--password-file <file>] [--plan <acls.json>]
//
// principals  prints every user to create (super users first), one per line; needs no kafkajs.
// apply       creates every ACL of the plan (idempotent: an ACL that exists is left alone) as the
//             admin (default: the admin of this state dir, see kafka/credentials.js). With
//             --prefix every resource name is put under that prefix, as tests do with their topics.
// Exit codes: 0 done, 1 failed, 2 bad usage or kafkajs missing.

const fs = require('fs');
const path = require('path');
const { loadKafkajs, repoRoot } = require('./kafka/load-kafkajs');
const { saslOptions } = require('./kafka/credentials');

const DEFAULT_PLAN = path.join(repoRoot, 'infra', 'kafka', 'acls.json');
const PRINCIPAL = /^[a-z][a-z0-9._-]{0,63}$/;
const RESOURCES = { topic: 'TOPIC', group: 'GROUP', transactionalId: 'TRANSACTIONAL_ID' };
const OPERATIONS = ['Read', 'Write', 'Create', 'Delete', 'Alter', 'Describe'];
const PATTERNS = { literal: 'LITERAL', prefixed: 'PREFIXED' };

function usage(msg) {
  process.stderr.write(`kafka-acls: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    command: argv[0],
    brokers: `127.0.0.1:${process.env.KAFKA_PORT || 9092}`,
    prefix: '',
    plan: DEFAULT_PLAN,
    username: undefined,
    passwordFile: undefined,
  };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`missing value for ${a}`);
      return argv[++i];
    };
    if (a === '--brokers') opts.brokers = next();
    else if (a === '--prefix') opts.prefix = next();
    else if (a === '--plan') opts.plan = next();
    else if (a === '--username') opts.username = next();
    else if (a === '--password-file') opts.passwordFile = next();
    else usage(`unknown argument ${a}`);
  }
  if (!['principals', 'apply'].includes(opts.command)) usage('the command is principals or apply');
  return opts;
}

/** Reads and checks the plan, so that a typo fails here with the entry it is in. */
function loadPlan(file) {
  const plan = JSON.parse(fs.readFileSync(file, 'utf8'));
  const where = (s) => `${path.basename(file)}: ${s}`;
  if (!Array.isArray(plan.superUsers) || typeof plan.principals !== 'object' || !plan.principals)
    throw new Error(where('expected "superUsers" (a list) and "principals" (an object)'));
  const names = [...plan.superUsers, ...Object.keys(plan.principals)];
  for (const name of names)
    if (!PRINCIPAL.test(name)) throw new Error(where(`"${name}" is not a valid principal name`));
  for (const [name, p] of Object.entries(plan.principals)) {
    if (!Array.isArray(p.allow)) throw new Error(where(`${name}: "allow" must be a list`));
    p.allow.forEach((entry, i) => {
      const kinds = Object.keys(RESOURCES).filter((k) => k in entry);
      if (kinds.length !== 1 || typeof entry[kinds[0]] !== 'string' || !entry[kinds[0]])
        throw new Error(where(`${name}.allow[${i}]: name one topic, group or transactionalId`));
      if (!(entry.pattern === undefined || Object.hasOwn(PATTERNS, entry.pattern)))
        throw new Error(where(`${name}.allow[${i}]: pattern is literal or prefixed`));
      if (
        !Array.isArray(entry.operations) ||
        entry.operations.length === 0 ||
        entry.operations.some((o) => !OPERATIONS.includes(o))
      )
        throw new Error(
          where(`${name}.allow[${i}]: operations are some of ${OPERATIONS.join(', ')}`),
        );
    });
  }
  return { plan, names };
}

/** kafkajs ACL entries of the plan, every resource name under `prefix`. */
function aclEntries(plan, prefix, kafkajs) {
  const { AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;
  const entries = [];
  for (const [principal, p] of Object.entries(plan.principals)) {
    for (const entry of p.allow) {
      const kind = Object.keys(RESOURCES).find((k) => k in entry);
      for (const operation of entry.operations) {
        entries.push({
          resourceType: AclResourceTypes[RESOURCES[kind]],
          resourceName: `${prefix}${entry[kind]}`,
          resourcePatternType: ResourcePatternTypes[PATTERNS[entry.pattern ?? 'literal']],
          principal: `User:${principal}`,
          host: '*',
          operation: AclOperationTypes[operation.toUpperCase()],
          permissionType: AclPermissionTypes.ALLOW,
        });
      }
    }
  }
  return entries;
}

async function apply(opts, plan) {
  const loaded = loadKafkajs();
  if (!loaded) usage('kafkajs not found (repo node_modules or NODE_PATH); the ACLs need it');
  const { Kafka, logLevel } = loaded.kafkajs;
  const sasl = saslOptions({ username: opts.username, passwordFile: opts.passwordFile });
  if (!sasl) throw new Error('no admin password found: set --username and --password-file');
  const kafka = new Kafka({
    clientId: 'rapport-kafka-acls',
    brokers: opts.brokers.split(',').map((b) => b.trim()),
    sasl,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5000,
    retry: { retries: 5, initialRetryTime: 300 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const acl = aclEntries(plan, opts.prefix, loaded.kafkajs);
    await admin.createAcls({ acl });
    const principals = Object.keys(plan.principals).length;
    process.stdout.write(
      `[kafka-acls] ${acl.length} ACLs for ${principals} principals in place` +
        `${opts.prefix ? ` (prefix ${opts.prefix})` : ''}\n`,
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { plan, names } = loadPlan(opts.plan);
  if (opts.command === 'principals') process.stdout.write(`${names.join('\n')}\n`);
  else await apply(opts, plan);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`[kafka-acls] ${e && e.message ? e.message : e}\n`);
    process.exit(1);
  });
}

module.exports = { loadPlan, aclEntries };
