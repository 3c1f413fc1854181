#!/usr/bin/env node
// Comment lines per code line in the workspace's TypeScript (docs/development.md#comment-ratio).
//
//   node tools/comment-ratio.mjs [--rev <commit>] [--files] [--json] [root …]
//
// Roots default to libs and apps. A line is a code line when a token of code touches it and a
// comment line when a comment touches it, so a line with code and a trailing comment is both;
// blank lines are neither. Tests are `*.spec.ts` and `*.spec-helper.ts`; each figure is given
// without them and with them. `--rev` reads the files of a commit instead of the work tree;
// `--files` adds the files without tests, most comment lines first.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const args = process.argv.slice(2);
const listFiles = args.includes('--files');
const asJson = args.includes('--json');
const revAt = args.indexOf('--rev');
const rev = revAt === -1 ? undefined : args[revAt + 1];
if (revAt !== -1 && !rev) throw new Error('--rev needs a commit');
const roots = args.filter((arg, i) => !arg.startsWith('--') && (revAt === -1 || i !== revAt + 1));
const workspace = join(import.meta.dirname, '..');
const git = (...gitArgs) =>
  execFileSync('git', gitArgs, { cwd: workspace, encoding: 'utf8', maxBuffer: 1 << 30 });

const isTest = (path) => /\.spec(-helper)?\.ts$/.test(path);
const isTypeScript = (name) => name.endsWith('.ts') && !name.endsWith('.d.ts');

function* typeScriptFiles(dir) {
  if (!statSync(dir).isDirectory()) {
    if (isTypeScript(dir)) yield relative(workspace, dir);
    return;
  }
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* typeScriptFiles(path);
    else if (isTypeScript(entry.name)) yield relative(workspace, path);
  }
}

/** The TypeScript files under the roots, with a reader of their text (work tree or `rev`). */
function sources(roots) {
  if (rev === undefined)
    return roots
      .flatMap((root) => [...typeScriptFiles(join(workspace, root))])
      .map((path) => ({ path, text: () => readFileSync(join(workspace, path), 'utf8') }));
  return git('ls-tree', '-r', '--name-only', rev, '--', ...roots)
    .split('\n')
    .filter((path) => isTypeScript(path) && !path.split('/').includes('node_modules'))
    .map((path) => ({ path, text: () => git('show', `${rev}:${path}`) }));
}

/** The comments in a stretch of trivia (whitespace and comments only), as [start, end). */
function* commentsIn(text, from, to) {
  let at = from;
  while (at < to) {
    if (text.startsWith('//', at) || (at === 0 && text.startsWith('#!'))) {
      const lineEnd = text.indexOf('\n', at);
      const end = lineEnd === -1 || lineEnd > to ? to : lineEnd;
      yield [at, end];
      at = end;
    } else if (text.startsWith('/*', at)) {
      const close = text.indexOf('*/', at + 2);
      const end = close === -1 ? to : close + 2;
      yield [at, end];
      at = end;
    } else at += 1;
  }
}

export function countLines(path, text) {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const code = new Set();
  const comment = new Set();
  const mark = (lines, start, end) => {
    const first = file.getLineAndCharacterOfPosition(start).line;
    const last = file.getLineAndCharacterOfPosition(Math.max(start, end - 1)).line;
    for (let line = first; line <= last; line += 1) lines.add(line);
  };
  const visit = (node) => {
    // JSDoc is parsed into nodes of its own; its text is counted as trivia of the next token.
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) {
      return;
    }
    const children = node.getChildren(file);
    if (children.length > 0) return children.forEach(visit);
    const start = node.getStart(file);
    if (node.kind !== ts.SyntaxKind.EndOfFileToken && node.end <= node.pos) return;
    for (const [from, to] of commentsIn(text, node.pos, start)) mark(comment, from, to);
    if (node.end > start) mark(code, start, node.end);
  };
  visit(file);
  return { code: code.size, comment: comment.size };
}

const files = sources(roots.length > 0 ? roots : ['libs', 'apps']).map(({ path, text }) => ({
  path,
  test: isTest(path),
  ...countLines(path, text()),
}));

const total = (subset) => {
  const code = subset.reduce((sum, file) => sum + file.code, 0);
  const comment = subset.reduce((sum, file) => sum + file.comment, 0);
  return { files: subset.length, code, comment, ratio: code === 0 ? 0 : comment / code };
};
const withoutTests = total(files.filter((file) => !file.test));
const withTests = total(files);

if (asJson) {
  console.log(JSON.stringify({ withoutTests, withTests }, null, 2));
} else {
  const row = (label, t) =>
    `${label.padEnd(16)}${String(t.files).padStart(6)} files ${String(t.code).padStart(7)} code ` +
    `${String(t.comment).padStart(6)} comment  ${t.ratio.toFixed(3)} comment/code`;
  console.log(row('without tests', withoutTests));
  console.log(row('with tests', withTests));
  if (listFiles) {
    console.log();
    for (const file of files
      .filter((f) => !f.test && f.comment > 0)
      .sort((a, b) => b.comment - a.comment)) {
      console.log(
        `${String(file.comment).padStart(5)} ${String(file.code).padStart(5)}  ${file.path}`,
      );
    }
  }
}
