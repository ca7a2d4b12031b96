/**
 * What both generated pages share, the reports page (reporting/index-page.ts) and a load
 * run's report (load/report/html.ts): escaping, how a figure is written, the document head
 * with its Content Security Policy, the base and badge styles, and uPlot carried inline.
 * Here in reporting/, which load/ builds on, so that imports flow one way.
 *
 * Each page is one self-contained file: uPlot's script and stylesheet, the data and the
 * script that draws the charts are inline, so it opens from disk, from a CI artifact or an
 * archive with no network; the policy forbids any fetch, so a mistake that would reach the
 * network fails visibly instead.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// --- escaping ------------------------------------------------------------------------------

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML, as element content or a quoted attribute: everything a run or a user named. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A relative link to `segments` joined with '/', each segment percent-encoded. */
export function href(...segments: string[]): string {
  return segments.flatMap((s) => s.split('/')).filter((s) => s !== '').map(encodeURIComponent).join('/');
}

/**
 * JSON for an inline `<script type="application/json">`: every `<` written as `\u003c`, so no
 * value can close the element (`</script>`) or open a comment; U+2028/2029 escaped likewise.
 */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Text for an inline `<script>`: a `</script` inside it would end the element early. */
export const inlineScript = (code: string): string => code.replace(/<\/(script)/gi, '<\\/$1');
/** Text for an inline `<style>`, likewise. */
export const inlineStyle = (css: string): string => css.replace(/<\/(style)/gi, '<\\/$1');

// --- figures -------------------------------------------------------------------------------

/** A missing figure (null, NaN): an en dash, never a made-up zero. */
export const MISSING = '–';

const finite = (value: number | null | undefined): value is number => typeof value === 'number' && Number.isFinite(value);

/** A figure for a reader: 3 significant digits for small values, whole numbers from 100 up, thousands separated. */
export function formatNumber(value: number | null | undefined): string {
  if (!finite(value)) return MISSING;
  if (value === 0) return '0';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** An instant as "2026-11-28 17:45:00 UTC"; text that is no instant, as written. */
export function formatInstant(when: string | Date): string {
  const date = new Date(when);
  return Number.isNaN(date.getTime()) ? String(when) : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

// --- the document --------------------------------------------------------------------------

/** Inline scripts and styles only, no fetch of any kind, no form, no `<base>`. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** How a verdict or a result reads at a glance: the badge's colour, and the row's. */
export type Tone = 'good' | 'bad' | 'warn' | 'neutral';

/** A coloured word: a verdict, a threshold's result. */
export const badge = (text: string, tone: Tone): string => `<span class="badge ${tone}">${escapeHtml(text)}</span>`;

/** The styles both pages start from: type, tables, chart figures, badges. Each page adds its own after. */
export const BASE_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1f2937; background: #f8fafc; margin: 0; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 20px 40px; }
code { font: 12.5px ui-monospace, "DejaVu Sans Mono", monospace; background: #f1f5f9; padding: 0 3px; border-radius: 3px; }
.good { color: #15803d; } .bad { color: #b91c1c; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; vertical-align: 1px; }
.badge.good { background: #16a34a; } .badge.bad { background: #dc2626; } .badge.warn { background: #d97706; } .badge.neutral { background: #6b7280; }
.badge.good, .badge.bad, .badge.warn, .badge.neutral { color: #fff; }
figure.chart { margin: 0; background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px 10px 4px; min-width: 0; }
figure.chart figcaption { font-weight: 600; margin-bottom: 2px; } .unit { font-weight: 400; color: #6b7280; }
.chart-canvas { width: 100%; min-height: 40px; } .chart-error { color: #b91c1c; padding: 12px 0; }
.uplot { font-family: inherit; } .uplot .u-legend { font-size: 12px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; border: 1px solid #e5e7eb; }
th, td { border-bottom: 1px solid #eef0f3; padding: 4px 8px; text-align: left; vertical-align: top; }
footer { margin-top: 32px; color: #6b7280; font-size: 12px; }
`;

/**
 * Everything from `<!doctype html>` to `<body>`: the policy, the generator (the file that
 * wrote the page), the title (escaped here), then `styles` in order, each in its own element.
 */
export function documentStart(page: { title: string; generator: string; styles: string[] }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="puppilot-auth-suite ${escapeHtml(page.generator)}">
<title>${escapeHtml(page.title)}</title>
${page.styles.map((css) => `<style>${inlineStyle(css)}</style>\n`).join('')}</head>
<body>
`;
}

// --- uPlot, inline -------------------------------------------------------------------------

const require = createRequire(import.meta.url);

export interface ChartAssets {
  /** The IIFE build: defines the global `uPlot`. */
  script: string;
  stylesheet: string;
}

/** Set by the bundle build (load/bundle/build.ts), which carries the assets inside the bundle. */
declare const __UPLOT_ASSETS__: ChartAssets | undefined;

let cached: ChartAssets | undefined;

/** uPlot's files as installed. */
export function readChartAssets(): ChartAssets {
  return {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    stylesheet: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}

/** uPlot's minified IIFE and CSS as text, read once per process (or carried by a bundle). */
export function chartAssets(): ChartAssets {
  if (typeof __UPLOT_ASSETS__ !== 'undefined') return __UPLOT_ASSETS__;
  cached ??= readChartAssets();
  return cached;
}

/**
 * The three scripts that draw a page's charts, in order: the data as inline JSON under
 * `dataId`, uPlot, then `drawScript` (which reads the data and calls uPlot).
 */
export function chartScripts(dataId: string, data: unknown, drawScript: string): string {
  return `<script type="application/json" id="${escapeHtml(dataId)}">${inlineJson(data)}</script>
<script>${inlineScript(chartAssets().script)}</script>
<script>${inlineScript(drawScript)}</script>
`;
}
