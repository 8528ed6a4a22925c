#!/usr/bin/env node
// Checks README.md and docs/*.md: no link leaves the repository, and every relative link (and
// image) points at a file or folder that exists. Prints each problem; exits 1 when there is one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function documentationFiles() {
  const docs = join(root, 'docs');
  return [join(root, 'README.md'), ...readdirSync(docs).filter((name) => name.endsWith('.md')).map((name) => join(docs, name))];
}

/** Problems of one Markdown file: external links, links to files that do not exist. */
export function linkProblems(file, repositoryRoot = root) {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  const problems = [];
  for (const match of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1];
    const where = relative(repositoryRoot, file);
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) {
      problems.push(`${where}: link outside the repository: ${target}`);
      continue;
    }
    if (target.startsWith('#')) continue;
    const path = resolve(dirname(file), decodeURIComponent(target.split('#')[0]));
    if (!path.startsWith(repositoryRoot + '/') && path !== repositoryRoot) problems.push(`${where}: link outside the repository: ${target}`);
    else if (!existsSync(path)) problems.push(`${where}: broken link: ${target}`);
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = documentationFiles().flatMap((file) => linkProblems(file));
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) process.exit(1);
  console.log(`docs: ${documentationFiles().length} files, links ok`);
}
