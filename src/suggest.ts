// "Did you mean": the nearest of a few known words to one the user typed, for commands, flags
// and country names alike.

/** Levenshtein distance, cut off above `limit` (returns limit + 1). */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    previous = row;
  }
  return previous[b.length];
}

/** Up to `max` candidates nearest to `word` (case-insensitively), nearest first; none if none is close. */
export function nearest(word: string, candidates: Iterable<string>, max = 1): string[] {
  const target = word.toLowerCase();
  const limit = Math.max(2, Math.floor(target.length / 3));
  return [...new Set(candidates)]
    .map((c) => ({ c, d: editDistance(target, c.toLowerCase(), limit) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : a.c > b.c ? 1 : 0))
    .slice(0, max)
    .map((x) => x.c);
}

/** " (did you mean `x`?)" or ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const [best] = nearest(word, candidates);
  return best === undefined ? '' : `; did you mean \`${best}\`?`;
}
