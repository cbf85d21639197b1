// The dumps the benchmarks' targets are stated for, as data: bench/run.ts and bench/features.ts
// generate and name them by these entries.

/** Scenarios as data: the dumps the targets are stated for. */
export const SCENARIOS: Record<string, { size: string; seed: number; dirt: 'default' | 'high'; note: string }> = {
  '256MB': { size: '256MB', seed: 1, dirt: 'default', note: 'about the size of the 10 M-row dump the Python pipeline took 141 s on' },
  '1GB': { size: '1GB', seed: 1, dirt: 'default', note: 'the headline target' },
  '1GB-high': { size: '1GB', seed: 1, dirt: 'high', note: 'the same size with --dirt high: quoted notes with line breaks, stray quotes, footnotes' },
  '4GB': { size: '4GB', seed: 1, dirt: 'default', note: 'memory must stay flat as the input grows' },
  '4GB-high': { size: '4GB', seed: 1, dirt: 'high', note: 'memory on the dirtiest dump' },
};
