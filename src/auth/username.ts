import * as v from 'valibot';

// Scripts whose letters pass for each other (Latin a, Cyrillic а, Greek α): a name may use one.
const CONFUSABLE_SCRIPTS = [
  /\p{Script=Latin}/u,
  /\p{Script=Cyrillic}/u,
  /\p{Script=Greek}/u,
  /\p{Script=Armenian}/u,
  /\p{Script=Cherokee}/u,
];

/** True when the letters of a name come from one script family, so it cannot pose as another. */
function singleScript(name: string): boolean {
  const seen = new Set<number | 'other'>();
  for (const ch of name) {
    if (!/\p{L}/u.test(ch)) continue;
    const i = CONFUSABLE_SCRIPTS.findIndex((script) => script.test(ch));
    seen.add(i === -1 ? 'other' : i);
  }
  return seen.size <= 1;
}

/**
 * A username as the audit trail shows it (`alarm_ack.user`): NFKC-normalized (full-width and
 * compatibility forms fold to plain ones), letters, digits and `._@-` only, so no invisible
 * characters (`admin\u200b`), and letters of one script only, so no look-alikes (`аdmin`).
 * Uniqueness ignores case (the column's collation).
 */
export const Username = v.pipe(
  v.string(),
  v.trim(),
  v.transform((s) => s.normalize('NFKC')),
  v.minLength(1),
  v.maxLength(64),
  v.regex(/^[\p{L}\p{M}\p{N}._@-]+$/u, 'may contain letters, digits and . _ @ - only'),
  v.check(singleScript, 'must not mix letters of different scripts'),
);
