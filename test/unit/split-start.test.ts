// Chaining the scans: where each split starts, from the split before it and its scan. Pure.
import { describe, expect, it } from 'vitest';
import { nextSplitStart } from '../../src/engine/splits.js';
import { chainStates, REC_START, scanRange, type TokenizerState } from '../../src/rules/tokenizer.js';

describe('nextSplitStart', () => {
  it('is the state and line after the scan, chained left to right as the tokenizer chains states', () => {
    const text = Buffer.from('a,"x\ny",1\nb,2\n"q\n\n",3\n');
    for (let cut1 = 1; cut1 < text.length - 1; cut1++) {
      for (let cut2 = cut1 + 1; cut2 < text.length; cut2++) {
        const ranges = [[0, cut1], [cut1, cut2], [cut2, text.length]] as const;
        const scans = ranges.map(([a, b]) => scanRange(text, a, b));
        let start: { state: TokenizerState; line: number } = { state: REC_START, line: 2 };
        const starts = [start];
        for (const scan of scans.slice(0, -1)) starts.push((start = nextSplitStart(start, scan)));
        expect(starts.map((s) => s.state)).toEqual(chainStates(REC_START, scans));
        // Lines: every newline before the split's start, quoted or not.
        expect(starts.map((s) => s.line)).toEqual([0, cut1, cut2].map((at) => 2 + text.subarray(0, at).filter((b) => b === 0x0a).length));
      }
    }
  });
});
