/** How the bench writes its figures: lines, numbers, the closing table. */

export const out = (line = '') => process.stdout.write(`${line}\n`);
export const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
export const f1 = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
export const fRate = (n: number) => (n < 100 ? f1(n) : f0(n));
export const ms = (n: number | null | undefined) => (n === null || n === undefined ? '-' : `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n)} ms`);

export interface Row {
  figure: string;
  ours: string;
  wrk: string;
  ratio: string;
  target: string;
  met: string;
}

export function table(rows: Row[]): string {
  const head: Row = { figure: 'figure', ours: 'ours', wrk: 'wrk', ratio: 'ratio', target: 'target', met: 'met' };
  const keys = Object.keys(head) as (keyof Row)[];
  const width = (k: keyof Row) => Math.max(...[head, ...rows].map((r) => r[k].length));
  const line = (r: Row) => keys.map((k) => r[k].padEnd(width(k))).join('  ').trimEnd();
  return [line(head), keys.map((k) => '-'.repeat(width(k))).join('  '), ...rows.map(line)].join('\n');
}

export const ratio = (ours: number | undefined, wrk: number | undefined) => (ours !== undefined && wrk ? ours / wrk : undefined);
export const fmtRatio = (r: number | undefined) => (r === undefined ? '-' : `${r.toFixed(2)} ×`);
export const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : 'not met');
