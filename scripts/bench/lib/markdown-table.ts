export type Alignment = 'left' | 'right';

export interface Column {
  title: string;
  align?: Alignment;
}

/**
 * A Markdown table padded so that it also reads well in a terminal.
 * Pipes inside cells are escaped.
 */
export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((row) => columns.map((_, index) => (row[index] ?? '').replaceAll('|', '\\|')));
  const widths = columns.map((column, index) =>
    Math.max(column.title.length, 3, ...cells.map((row) => [...row[index]!].length)),
  );
  const pad = (text: string, index: number): string => {
    const gap = ' '.repeat(widths[index]! - [...text].length);
    return columns[index]!.align === 'right' ? gap + text : text + gap;
  };
  const line = (values: readonly string[]): string => `| ${values.map(pad).join(' | ')} |`;
  const rule = `| ${columns
    .map((column, index) => {
      const dashes = '-'.repeat(widths[index]!);
      return column.align === 'right' ? `${dashes.slice(1)}:` : dashes;
    })
    .join(' | ')} |`;
  return [line(columns.map((column) => column.title)), rule, ...cells.map(line)].join('\n');
}
