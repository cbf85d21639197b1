import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allFields,
  chainStates,
  nextState,
  QUOTE_SEEN,
  QUOTED,
  readRecord,
  REC_START,
  RecordLayout,
  scanRange,
  skipToRecordStart,
  START,
  UNQUOTED,
  type TokenizerState,
} from '../../src/rules/tokenizer.js';

const byte = (c: string): number => c.charCodeAt(0);

/** All records of a text, as the SPEC's tokenizer reads them from the start. */
function records(text: string): Array<{ fields: string[]; malformed: boolean; text: string; newlines: number }> {
  const bytes = Buffer.from(text);
  const layout = new RecordLayout();
  const out = [];
  for (let pos = 0; pos < bytes.length; pos = layout.next) {
    readRecord(bytes, pos, bytes.length, true, layout);
    if (!layout.blank) {
      out.push({ fields: allFields(bytes, layout), malformed: layout.malformed, text: bytes.toString('utf8', layout.start, layout.textEnd), newlines: layout.newlines });
    }
  }
  return out;
}

describe('the state table', () => {
  // One row per SPEC state; START-of-record moves exactly like START.
  const cases: Array<[string, TokenizerState, string, TokenizerState]> = [
    ['START', START, '"', QUOTED],
    ['START', START, ',', START],
    ['START', START, '\n', REC_START],
    ['START', START, 'x', UNQUOTED],
    ['START', START, '\r', UNQUOTED],
    ['REC_START', REC_START, '"', QUOTED],
    ['REC_START', REC_START, ',', START],
    ['REC_START', REC_START, '\n', REC_START],
    ['REC_START', REC_START, 'x', UNQUOTED],
    ['UNQUOTED', UNQUOTED, '"', UNQUOTED],
    ['UNQUOTED', UNQUOTED, ',', START],
    ['UNQUOTED', UNQUOTED, '\n', REC_START],
    ['UNQUOTED', UNQUOTED, 'x', UNQUOTED],
    ['UNQUOTED', UNQUOTED, '\r', UNQUOTED],
    ['QUOTED', QUOTED, '"', QUOTE_SEEN],
    ['QUOTED', QUOTED, ',', QUOTED],
    ['QUOTED', QUOTED, '\n', QUOTED],
    ['QUOTED', QUOTED, 'x', QUOTED],
    ['QUOTED', QUOTED, '\r', QUOTED],
    ['QUOTE_SEEN', QUOTE_SEEN, '"', QUOTED],
    ['QUOTE_SEEN', QUOTE_SEEN, ',', START],
    ['QUOTE_SEEN', QUOTE_SEEN, '\n', REC_START],
    ['QUOTE_SEEN', QUOTE_SEEN, '\r', QUOTE_SEEN],
    ['QUOTE_SEEN', QUOTE_SEEN, 'x', UNQUOTED],
  ];
  it.each(cases)('%s on %j', (_name, from, c, to) => {
    expect(nextState(from, byte(c))).toBe(to);
  });
});

describe('records and fields', () => {
  it('START: a quote opens a quoted field, a comma ends an empty field, a line break ends the record', () => {
    expect(records('"a",,b\n')[0].fields).toEqual(['a', '', 'b']);
    expect(records('a,\n')[0].fields).toEqual(['a', '']);
  });
  it('UNQUOTED: a stray quote is an ordinary character', () => {
    expect(records('Cote d"Ivoire,1\n')[0]).toMatchObject({ fields: ['Cote d"Ivoire', '1'], malformed: false });
  });
  it('QUOTED: keeps commas and line breaks', () => {
    expect(records('"a,b\nc",d\n')[0]).toMatchObject({ fields: ['a,b\nc', 'd'], newlines: 2 });
  });
  it('QUOTE_SEEN: a doubled quote is a literal quote', () => {
    expect(records('"say ""hi""",x\n')[0].fields).toEqual(['say "hi"', 'x']);
  });
  it('QUOTE_SEEN: \\r stays, so "a"\\r\\n ends cleanly', () => {
    expect(records('"a"\r\n"b"\r,c\n').map((r) => r.fields)).toEqual([['a'], ['b', 'c']]);
  });
  it('QUOTE_SEEN: another byte makes the record malformed', () => {
    expect(records('"abc"x,1\nok,2\n').map((r) => r.malformed)).toEqual([true, false]);
  });
  it('a \\r before the ending \\n belongs to the line ending', () => {
    expect(records('a,b\r\nc,d\n').map((r) => [r.fields, r.text])).toEqual([
      [['a', 'b'], 'a,b'],
      [['c', 'd'], 'c,d'],
    ]);
  });
  it('a \\r elsewhere is an ordinary character', () => {
    expect(records('a\rb,c\n')[0].fields).toEqual(['a\rb', 'c']);
  });
  it('skips blank lines, LF and CRLF alike', () => {
    expect(records('a,1\n\n\r\nb,2\n').map((r) => r.fields[0])).toEqual(['a', 'b']);
  });
  it('a last record may lack its line ending', () => {
    expect(records('a,1\nb,2').map((r) => r.fields)).toEqual([['a', '1'], ['b', '2']]);
    expect(records('a,"x"').map((r) => r.fields)).toEqual([['a', 'x']]);
    expect(records('a,').map((r) => r.fields)).toEqual([['a', '']]);
  });
  it('a quote never closed makes the rest of the file one malformed record', () => {
    const all = records('a,1\n"b,2\nc,3\n');
    expect(all).toHaveLength(2);
    expect(all[1]).toMatchObject({ malformed: true, text: '"b,2\nc,3\n' });
  });
  it('asks for more input when the buffer ends inside a record', () => {
    const layout = new RecordLayout();
    expect(readRecord(Buffer.from('"a\nb'), 0, 4, false, layout)).toBe(false);
    expect(readRecord(Buffer.from('"a\nb"\n'), 0, 6, false, layout)).toBe(true);
  });
});

describe('scanning ranges and chaining them', () => {
  const tokenizerStateAt = (bytes: Buffer, offset: number): TokenizerState => {
    let s: TokenizerState = REC_START;
    for (let i = 0; i < offset; i++) s = nextState(s, bytes[i]);
    return s;
  };

  it('chained scans give the state a single pass from the start gives, for any cut', () => {
    const text = fc.stringMatching(/^[a,"\n\rx]*$/);
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 6 }), (t, cutSeeds) => {
        const bytes = Buffer.from(t);
        const cuts = [...new Set(cutSeeds.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
        const bounds = [0, ...cuts.filter((c) => c > 0), bytes.length];
        const scans = bounds.slice(0, -1).map((from, i) => scanRange(bytes, from, bounds[i + 1]));
        const starts = chainStates(REC_START, scans);
        starts.forEach((s, i) => expect(s).toBe(tokenizerStateAt(bytes, bounds[i])));
        expect(scans.reduce((n, s) => n + s.newlines, 0)).toBe(t.split('\n').length - 1);
      }),
      { numRuns: 300 },
    );
  });

  it('skips the tail of a record that began before the range', () => {
    const bytes = Buffer.from('"a\nb",1\nnext,2\n');
    const state = tokenizerStateAt(bytes, 3);
    expect(skipToRecordStart(bytes, 3, bytes.length, state)).toEqual({ offset: 8, newlines: 1 });
  });
});

describe('agreement with csv-parse on valid CSV', () => {
  const field = fc.oneof(
    fc.stringMatching(/^[a-zA-Z0-9 .é€-]*$/),
    fc.stringMatching(/^[a-z,"\n]*$/).map((s) => `"${s.replace(/"/g, '""')}"`),
    fc.stringMatching(/^[a-z\r\n]*$/).map((s) => `"${s.replace(/\r(?!\n)/g, '')}"`),
  );
  const csv = fc.tuple(fc.integer({ min: 2, max: 4 }), fc.array(fc.tuple(fc.array(field, { minLength: 4, maxLength: 4 }), fc.constantFrom('\n', '\r\n')), { minLength: 1, maxLength: 20 })).map(([width, rows]) =>
    rows.map(([fields, end]) => fields.slice(0, width).join(',') + end).join(''),
  );
  it('gives the same records as csv-parse', () => {
    fc.assert(
      fc.property(csv, (text) => {
        const ours = records(text).map((r) => r.fields);
        const theirs = parse(text, { record_delimiter: ['\r\n', '\n'], skip_empty_lines: true, relax_column_count: true }) as string[][];
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 300 },
    );
  });
});
