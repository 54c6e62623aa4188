/** Markdown pieces shared by the report's sections. */
import { fixed } from './stats.js';

export const verdict = (met: boolean) => (met ? 'met' : '**missed**');

export const table = (header: string[], align: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

/** A whole number with thousands separators: 20,000. */
export const count = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');

/** A number with `digits` decimals and thousands separators. */
export const amount = (value: number, digits = 1) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

/** Seconds from milliseconds, one decimal. */
export const seconds = (ms: number) => fixed(ms / 1000);

/** A ratio as `12.3×`. */
export const times = (ratio: number, digits = 2) => `${fixed(ratio, digits)}×`;

/** A signed percentage: `+0.4 %`. */
export const signedPercent = (fraction: number) => (Number.isFinite(fraction) ? `${fraction >= 0 ? '+' : '−'}${Math.abs(fraction * 100).toFixed(1)} %` : 'n/a');
