// HTML tables as grids: every cell placed where rowspan and colspan put it, each with its
// visible text. Pure: parse5 builds the tree, nothing here reads a file or the network.
import { parse, type DefaultTreeAdapterMap } from 'parse5';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

export interface GridCell {
  /** Visible text: footnote references, images, scripts and styles left out; trimmed. */
  text: string;
  header: boolean;
  /** The same object stands in every grid slot a spanning cell covers. */
  colspan: number;
}

export interface Grid {
  rows: GridCell[][];
  /** How many leading rows hold only header cells. */
  headerRows: number;
  caption: string;
}

export function parseHtml(html: string): DefaultTreeAdapterMap['document'] {
  return parse(html);
}

function isElement(node: Node): node is Element {
  return 'tagName' in node;
}

function attr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

function hasClass(el: Element, name: string): boolean {
  return (attr(el, 'class') ?? '').split(/\s+/).includes(name);
}

export function* elements(node: Node, tagName: string): Generator<Element> {
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    if (isElement(n) && n.tagName === tagName) yield n;
    const children = 'childNodes' in n ? n.childNodes : [];
    // template contents aside, children in document order
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

const SKIPPED = new Set(['script', 'style', 'img', 'noscript', 'template']);

/** The text a reader sees in `node`, without footnote references (`<sup class="reference">`). */
export function visibleText(node: Node): string {
  let text = '';
  const walk = (n: Node): void => {
    if (n.nodeName === '#text') {
      text += (n as DefaultTreeAdapterMap['textNode']).value;
      return;
    }
    if (isElement(n)) {
      if (SKIPPED.has(n.tagName)) return;
      // A table nested in a cell is content of its own (a legend, a sub-table): not the cell's text.
      if (n.tagName === 'table' && n !== node) return;
      if (n.tagName === 'sup' && hasClass(n, 'reference')) return;
      if (n.tagName === 'br') text += ' ';
    }
    if ('childNodes' in n) for (const c of n.childNodes) walk(c);
  };
  walk(node);
  return text.trim();
}

function span(el: Element, name: string): number {
  const n = Number.parseInt(attr(el, name) ?? '1', 10);
  return Number.isFinite(n) && n >= 1 ? Math.min(n, 1000) : 1;
}

/** The table's own rows (not those of tables nested in its cells), in order. */
function ownRows(table: Element): Element[] {
  const rows: Element[] = [];
  const visit = (el: Element): void => {
    for (const c of el.childNodes) {
      if (!isElement(c)) continue;
      if (c.tagName === 'tr') rows.push(c);
      else if (c.tagName === 'thead' || c.tagName === 'tbody' || c.tagName === 'tfoot') visit(c);
    }
  };
  visit(table);
  return rows;
}

/**
 * Grid slots one table may fill. The page's real table fills a few thousand; a hostile page
 * of many `colspan="1000"` cells would fill hundreds of millions (gigabytes of references).
 */
export const MAX_GRID_SLOTS = 2_000_000;

export class GridTooLarge extends Error {}

/** Lays a table's cells out on a grid, honouring rowspan and colspan in every row. */
export function tableGrid(table: Element): Grid {
  const rows: GridCell[][] = [];
  let slots = 0;
  const pending: Array<{ cell: GridCell; rowsLeft: number } | undefined> = [];
  for (const tr of ownRows(table)) {
    const row: GridCell[] = [];
    let col = 0;
    const fillSpanned = (): void => {
      while (pending[col] !== undefined && (pending[col] as { rowsLeft: number }).rowsLeft > 0) {
        const p = pending[col] as { cell: GridCell; rowsLeft: number };
        row[col] = p.cell;
        p.rowsLeft--;
        col++;
      }
    };
    for (const td of tr.childNodes) {
      if (!isElement(td) || (td.tagName !== 'td' && td.tagName !== 'th')) continue;
      fillSpanned();
      const colspan = span(td, 'colspan');
      const rowspan = span(td, 'rowspan');
      const cell: GridCell = { text: visibleText(td), header: td.tagName === 'th', colspan };
      for (let k = 0; k < colspan; k++) {
        row[col + k] = cell;
        pending[col + k] = rowspan > 1 ? { cell, rowsLeft: rowspan - 1 } : undefined;
      }
      col += colspan;
    }
    fillSpanned();
    // Cells spanning down into columns past this row's last cell.
    for (let c = col; c < pending.length; c++) {
      const p = pending[c];
      if (p !== undefined && p.rowsLeft > 0) {
        row[c] = p.cell;
        p.rowsLeft--;
      }
    }
    slots += row.length;
    if (slots > MAX_GRID_SLOTS) throw new GridTooLarge(`a table spans more than ${MAX_GRID_SLOTS.toLocaleString('en-US')} grid cells once rowspan and colspan are laid out: no GDP table is that large`);
    rows.push(row);
  }
  let headerRows = 0;
  while (headerRows < rows.length && rows[headerRows].length > 0 && rows[headerRows].every((c) => c === undefined || c.header)) headerRows++;
  const caption = [...elements(table, 'caption')][0];
  return { rows, headerRows, caption: caption === undefined ? '' : visibleText(caption) };
}
