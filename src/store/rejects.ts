// rejects.csv rows, built from the record's bytes so its text stays exactly as in the input
// (no decode and re-encode on the way). Quoting follows RFC 4180: only where needed.

export const REJECTS_HEADER = 'line,reason,record\n';

function needsQuotes(record: Buffer): boolean {
  return record.indexOf(0x22) >= 0 || record.indexOf(0x2c) >= 0 || record.indexOf(0x0d) >= 0 || record.indexOf(0x0a) >= 0;
}

export function encodeRejectRow(line: number, reason: string, record: Buffer): Buffer {
  const prefix = `${line},${reason},`;
  // Searched as bytes: a record may be larger than any string (an unclosed quote runs to the
  // end of the file, SPEC §1).
  if (!needsQuotes(record)) return Buffer.concat([Buffer.from(prefix), record, NEWLINE]);
  const parts: Buffer[] = [Buffer.from(prefix + '"')];
  let from = 0;
  for (let i = record.indexOf(0x22); i >= 0; i = record.indexOf(0x22, i + 1)) {
    parts.push(record.subarray(from, i + 1), QUOTE);
    from = i + 1;
  }
  parts.push(record.subarray(from), CLOSE);
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');
const QUOTE = Buffer.from('"');
const CLOSE = Buffer.from('"\n');
