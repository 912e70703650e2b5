/** The console writes counts one way whether the server rendered them (format.ts) or the live script repainted them (ui.js). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { count } from '../../src/ui/format';

const script = readFileSync(join(__dirname, '..', '..', 'src', 'ui', 'assets', 'ui.js'), 'utf8');
// The script's count() and what it needs, from `var fmt` up to pct(): run as it runs in the browser.
const liveCount = new Function(
  `${script.slice(script.indexOf('var fmt'), script.indexOf('function pct'))}; return count;`,
)() as (text: string) => string;

test.each([
  [65_534n, '65,534'],
  [999_999_999_999_999n, '999,999,999,999,999'],
  [2n ** 64n - 2n, '2⁶⁴ − 2'],
  [2n ** 64n, '2⁶⁴'],
  [3n * 2n ** 64n - 6n, '3 × 2⁶⁴ − 6'],
  [2n ** 80n - 2n, '2⁸⁰ − 2'],
  [2n ** 63n + 5n, '2⁶³ + 5'],
  [12_345_678_901_234_567_890_123n, '≈ 2⁷⁴'],
])('%s reads %s, in both', (n, text) => {
  expect(count(n)).toBe(text);
  expect(liveCount(n.toString())).toBe(text);
});

test('both agree on a spread of IPv6-sized counts', () => {
  for (let k = 40; k <= 128; k += 3) {
    for (const d of [-7n, -2n, 0n, 1n, 999_999n, 1_000_000n, 2n ** BigInt(k - 8)]) {
      const n = 2n ** BigInt(k) + d;
      if (n > 0n) expect(liveCount(n.toString())).toBe(count(n));
    }
  }
});
