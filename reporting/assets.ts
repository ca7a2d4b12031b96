/**
 * uPlot's script and stylesheet, read from the installed package so the pages (a load
 * run's report, the reports page) can carry them inline: they open from disk, from a CI
 * artifact or an archive, with no network. Here in reporting/, which load/ builds on, so
 * that imports flow one way.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

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

/** Text for an inline `<script>`: a `</script` inside it would end the element early. */
export const inlineScript = (code: string): string => code.replace(/<\/(script)/gi, '<\\/$1');
/** Text for an inline `<style>`, likewise. */
export const inlineStyle = (css: string): string => css.replace(/<\/(style)/gi, '<\\/$1');
