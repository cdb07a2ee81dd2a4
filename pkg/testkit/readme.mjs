// Test helper: the code blocks of pkg/README.md, so the tests run the examples a newcomer pastes.
import { readFileSync } from 'node:fs';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The `index`-th fenced block of language `lang` in the section whose heading starts with `heading`. */
export function readmeBlock(heading, lang, index = 0) {
  const start = README.indexOf(`\n## ${heading}`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const next = README.indexOf('\n## ', start + 4);
  const section = README.slice(start, next < 0 ? undefined : next);
  const blocks = [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
  if (blocks[index] === undefined) throw new Error(`README section "${heading}" has no ${lang} block #${index}`);
  return blocks[index];
}
