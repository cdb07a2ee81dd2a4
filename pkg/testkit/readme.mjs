// Test helper: the code blocks of pkg/README.md (and of the repository's README.md), so the tests
// run the examples a newcomer pastes.
import { readFileSync } from 'node:fs';

const READMES = {
  pkg: readFileSync(new URL('../README.md', import.meta.url), 'utf8'),
  root: readFileSync(new URL('../../README.md', import.meta.url), 'utf8'),
};

/**
 * The `index`-th fenced block of language `lang` in the section whose heading starts with
 * `heading` (level 2), in pkg/README.md or, with `readme: 'root'`, the repository's README.md.
 */
export function readmeBlock(heading, lang, index = 0, readme = 'pkg') {
  const text = READMES[readme];
  const start = text.indexOf(`\n## ${heading}`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const next = text.indexOf('\n## ', start + 4);
  const section = text.slice(start, next < 0 ? undefined : next);
  const blocks = [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
  if (blocks[index] === undefined) throw new Error(`README section "${heading}" has no ${lang} block #${index}`);
  return blocks[index];
}
