/** The one backoff formula (src/contract/backoff.ts) and the rules built on it. */
import { backoffMs } from '../../src/contract/backoff';
import { retryDelayMs } from '../../src/logic/dns/dns';
import { judgeWebhook } from '../../src/logic/alerts/alerts';

describe('backoffMs: exponential, equal jitter, capped', () => {
  const b = { baseMs: 200, maxMs: 30_000 };

  test('the ceiling doubles per failed attempt from baseMs', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, b, () => 1))).toEqual([200, 400, 800, 1600, 3200]);
  });

  test('the jitter keeps each wait between half and all of its ceiling', () => {
    expect([1, 2, 3].map((n) => backoffMs(n, b, () => 0))).toEqual([100, 200, 400]);
    expect(backoffMs(3, b, () => 0.5)).toBe(600);
    for (let i = 0; i < 200; i++) {
      const d = backoffMs(4, b);
      expect(d).toBeGreaterThanOrEqual(800);
      expect(d).toBeLessThanOrEqual(1600);
    }
  });

  test('never above maxMs, however many attempts (no overflow to Infinity or NaN)', () => {
    expect(backoffMs(9, b, () => 1)).toBe(30_000);
    expect(backoffMs(10_000, b, () => 1)).toBe(30_000);
    expect(backoffMs(10_000, b, () => 0)).toBe(15_000);
  });

  test('attempt 0 or below waits like the first; a zero base never waits', () => {
    expect(backoffMs(0, b, () => 1)).toBe(200);
    expect(backoffMs(-3, b, () => 1)).toBe(200);
    expect(backoffMs(5, { baseMs: 0, maxMs: 1000 })).toBe(0);
  });

  test('whole milliseconds', () => {
    expect(Number.isInteger(backoffMs(3, { baseMs: 333, maxMs: 10_000 }, () => 0.123))).toBe(true);
  });
});

describe('rules on the formula', () => {
  test('DNS: 1 s doubling up to the configured ceiling', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, 60_000, () => 1))).toEqual([1000, 2000, 4000]);
    expect(retryDelayMs(7, 60_000, () => 1)).toBe(60_000);
    expect(retryDelayMs(7, 60_000, () => 0)).toBe(30_000);
  });

  test('webhook: delivered on no error; retried with the backoff; given up after the last attempt', () => {
    expect(judgeWebhook(null, 3, 3, 1000)).toEqual({ delivered: true });
    expect(judgeWebhook('HTTP 503', 1, 3, 1000, () => 1)).toEqual({
      delivered: false,
      error: 'HTTP 503',
      retryInMs: 1000,
    });
    expect(judgeWebhook('HTTP 503', 2, 3, 1000, () => 0)).toEqual({
      delivered: false,
      error: 'HTTP 503',
      retryInMs: 1000,
    });
    expect(judgeWebhook('HTTP 503', 3, 3, 1000)).toEqual({ delivered: false, error: 'HTTP 503', retryInMs: null });
    expect(judgeWebhook('timeout', 20, 50, 1000, () => 1)).toMatchObject({ retryInMs: 300_000 });
  });
});
