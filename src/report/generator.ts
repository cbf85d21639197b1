// The mark a report page carries in its head, by which `gdpmr report` knows its own earlier
// output (replaced without --force) from any other file at --out.
export const REPORT_GENERATOR = '<meta name="generator" content="gdpmr report">';
