import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The documentation a newcomer walks through: README.md, docs/ and bench/README.md. Every
 * relative Markdown link must lead to a file (or folder) of the repository and, when it
 * names an anchor in a Markdown file, to a heading of that file (GitHub's slugs). External
 * links are not fetched. Plain fs: no service needed.
 */

const ROOT = resolve(__dirname, '../../../..');
const MAX_README_LINES = 200;

interface Link {
  readonly line: number;
  readonly target: string;
}

interface MarkdownFile {
  readonly links: readonly Link[];
  readonly anchors: ReadonlySet<string>;
}

/** GitHub's heading anchor: the heading's text, lower-case, punctuation but - and _ dropped, spaces → -. */
function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/`+([^`]*)`+/g, '$1') // code spans: their content
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/(\*\*|__|\*|~~)(.+?)\1/g, '$2') // emphasis, strong, strike-through
    .replace(/(^|[^\p{L}\p{N}])_(.+?)_(?=[^\p{L}\p{N}]|$)/gu, '$1$2');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence === undefined && marker) fence = marker;
    else if (fence !== undefined && marker?.[0] === fence[0] && marker.length >= fence.length)
      fence = undefined;
    else if (fence === undefined) lines.push({ text, line: i + 1 });
  });
  return lines;
}

const INLINE_LINK =
  /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/;

function parseMarkdown(markdown: string): MarkdownFile {
  const links: Link[] = [];
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text, line } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text);
    if (heading) {
      const slug = githubSlug(heading[1]);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const m of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(m[1]);
    const withoutCode = text.replace(/(`+)[^`]*?\1/g, '');
    for (const m of withoutCode.matchAll(INLINE_LINK)) links.push({ line, target: m[1] });
    const definition = REFERENCE_DEFINITION.exec(withoutCode);
    if (definition) links.push({ line, target: definition[1] });
  }
  return {
    links: links.map((l) => ({ ...l, target: l.target.replace(/^<(.*)>$/, '$1') })),
    anchors,
  };
}

function markdownFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFilesUnder(path);
    return entry.isFile() && entry.name.endsWith('.md') ? [path] : [];
  });
}

const DOCUMENTS = [
  join(ROOT, 'README.md'),
  join(ROOT, 'bench', 'README.md'),
  ...markdownFilesUnder(join(ROOT, 'docs')).sort(),
];

const parsed = new Map<string, MarkdownFile>();
function parsedFile(path: string): MarkdownFile {
  let file = parsed.get(path);
  if (!file) {
    file = parseMarkdown(readFileSync(path, 'utf8'));
    parsed.set(path, file);
  }
  return file;
}

const isExternal = (target: string) =>
  /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/** Where a relative link of `from` leads, or why it leads nowhere. */
function brokenReason(from: string, target: string): string | undefined {
  const hash = target.indexOf('#');
  const pathPart = hash === -1 ? target : target.slice(0, hash);
  const anchor = hash === -1 ? undefined : target.slice(hash + 1);
  let decodedPath: string;
  let decodedAnchor: string | undefined;
  try {
    decodedPath = decodeURIComponent(pathPart.split('?')[0]);
    decodedAnchor = anchor === undefined ? undefined : decodeURIComponent(anchor);
  } catch {
    return 'not a valid URL';
  }
  const file =
    decodedPath === ''
      ? from
      : decodedPath.startsWith('/')
        ? join(ROOT, decodedPath)
        : resolve(dirname(from), decodedPath);
  const inRepo = relative(ROOT, file);
  if (inRepo === '..' || inRepo.startsWith(`..${sep}`) || isAbsolute(inRepo))
    return 'points outside the repository';
  if (!existsSync(file)) return 'no such file';
  if (decodedAnchor === undefined || decodedAnchor === '') return undefined;
  if (!statSync(file).isFile() || !file.endsWith('.md')) return undefined;
  if (!parsedFile(file).anchors.has(decodedAnchor))
    return `no heading #${decodedAnchor} in ${relative(ROOT, file)}`;
  return undefined;
}

describe('githubSlug', () => {
  it.each([
    ['The two commands', 'the-two-commands'],
    ['The `customerId` in a POST answer', 'the-customerid-in-a-post-answer'],
    ['Operators: health and projections', 'operators-health-and-projections'],
    ['bench:time-travel', 'benchtime-travel'],
    [
      'Forward decay: rankings without recomputation',
      'forward-decay-rankings-without-recomputation',
    ],
    ['Time travel (asOf)', 'time-travel-asof'],
    ['snake_case and **bold**', 'snake_case-and-bold'],
    ['Figures (2026-11-22 to 2026-12-02)', 'figures-2026-11-22-to-2026-12-02'],
  ])('%s → %s', (heading, slug) => expect(githubSlug(heading)).toBe(slug));
});

describe('parseMarkdown', () => {
  it('finds inline and reference links, not those in code, and numbers duplicate headings', () => {
    const md = [
      '# Title',
      'See [a](a.md), [b](docs/b.md#part "title"), ![img](<img one.png>) and `[c](c.md)`.',
      '```',
      '[d](d.md)',
      '# not a heading',
      '```',
      '[ref]: ref.md',
      '## Part',
      '## Part',
    ].join('\n');
    const { links, anchors } = parseMarkdown(md);
    expect(links.map((l) => l.target)).toEqual(['a.md', 'docs/b.md#part', 'img one.png', 'ref.md']);
    expect([...anchors]).toEqual(['title', 'part', 'part-1']);
  });
});

describe('documentation links', () => {
  it('has documents to check', () => {
    expect(DOCUMENTS.length).toBeGreaterThan(2);
    expect(DOCUMENTS.flatMap((d) => parsedFile(d).links).length).toBeGreaterThan(0);
  });

  it.each(DOCUMENTS.map((d) => [relative(ROOT, d), d]))(
    'every relative link in %s leads to a file and heading',
    (_name, document) => {
      const broken = parsedFile(document)
        .links.filter((link) => !isExternal(link.target))
        .map((link) => ({ link, reason: brokenReason(document, link.target) }))
        .filter((b) => b.reason !== undefined)
        .map(({ link, reason }) => `line ${link.line}: (${link.target}) ${reason}`);
      expect(broken).toEqual([]);
    },
  );

  it(`keeps README.md within ${MAX_README_LINES} lines`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\n$/, '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it('links every document of docs/ from README.md', () => {
    const readme = join(ROOT, 'README.md');
    const linked = new Set(
      parsedFile(readme)
        .links.filter((link) => !isExternal(link.target))
        .map((link) => resolve(ROOT, decodeURIComponent(link.target.split('#')[0]))),
    );
    const docs = existsSync(join(ROOT, 'docs'))
      ? readdirSync(join(ROOT, 'docs'))
          .filter((name) => name.endsWith('.md'))
          .map((name) => join(ROOT, 'docs', name))
      : [];
    expect(docs.length).toBeGreaterThan(0);
    expect(docs.filter((doc) => !linked.has(doc)).map((doc) => relative(ROOT, doc))).toEqual([]);
  });
});
