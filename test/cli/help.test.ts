// Help and mistakes: one page per command and subcommand, `gdpmr help CMD`, and the nearest
// command, subcommand or flag suggested for a typo; a flag a subcommand does not take is exit 2.
import { describe, expect, it } from 'vitest';
import { cli, WIKIPEDIA } from '../helpers.js';

describe('help pages', () => {
  it.each([
    [['help', 'query', 'top5'], 'gdpmr query top5 [--k K]', '--projections'],
    [['query', 'history', '--help'], 'gdpmr query history --country NAME', 'any name a figure was loaded under'],
    [['query', 'revisions', '--help'], 'gdpmr query revisions --from YYYY-MM-DD --to YYYY-MM-DD', '--min-change PCT'],
    [['help', 'run'], 'gdpmr run INPUT.csv', '--replace'],
    [['extract', 'imf', '--help'], 'gdpmr extract imf', '--countries FILE'],
    [['extract', 'wikipedia', '--help'], 'gdpmr extract wikipedia', '--source NAME'],
    [['help', 'extract', 'weo'], 'gdpmr extract weo', '--vintages FILE'],
    [['rollback', '--help'], 'gdpmr rollback', '.kept.json'],
  ])('%j', async (args, first, detail) => {
    const r = await cli(args);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(first)).toBe(true);
    expect(r.stdout).toContain(detail);
  });
});

describe('a typo gets the nearest name; a flag a subcommand does not take is refused', () => {
  it.each([
    [['qeury', 'top5'], 'did you mean `query`?'],
    [['query', 'tpo5'], 'did you mean `top5`?'],
    [['query', 'top5', '--warehose', 'w'], 'did you mean `--warehouse`?'],
    [['run', WIKIPEDIA, '--apend'], 'did you mean `--append`?'],
    [['query', 'revisions', '--from', '2024-01-01', '--to', '2025-01-01', '--year', '2025'], "Unknown option '--year'"],
    [['query', 'history', '--country', 'Japan', '--year', '2025'], "Unknown option '--year'"],
  ])('%j: exit 2', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
