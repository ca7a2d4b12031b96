// The metric registry (load/engine/registry.ts) is the one list of metrics: the README's
// table restates it for readers, and this test keeps the two the same.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../lib/config.ts';
import { METRIC_NAMES, METRICS } from '../load/engine/registry.ts';
import { parseThresholds } from '../load/engine/thresholds.ts';

test("load/README.md's metric table is the registry's", () => {
  const readme = readFileSync(`${PROJECT_ROOT}/load/README.md`, 'utf8');
  const table = /<!-- metrics:begin[^>]*-->\n([\s\S]*?)<!-- metrics:end -->/.exec(readme)?.[1];
  assert.ok(table, 'the table markers are missing');
  const rows = table
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
  const expected = METRIC_NAMES.map((name) => {
    const m = METRICS[name];
    return [`\`${name}\``, m.type, m.tags.map((t) => `\`${t}\``).join(', '), m.about];
  });
  assert.deepEqual(rows, expected);
});

test('every registered metric can carry a threshold, narrowed by each of its tags', () => {
  for (const name of METRIC_NAMES) {
    const m = METRICS[name];
    const aggregation = { counter: 'count>=0', rate: 'rate>=0', trend: 'p(95)>=0', gauge: 'value>=0' }[m.type];
    const keys = [name, ...m.tags.map((tag) => `${name}{${tag}:x}`)];
    assert.equal(parseThresholds(Object.fromEntries(keys.map((k) => [k, [aggregation]]))).length, keys.length, name);
  }
});
