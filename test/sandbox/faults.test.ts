// The --faults syntax: what each entry sets, what is refused, and which request a count hits.
import { describe, expect, it } from 'vitest';
import { faultForRequest, FaultSyntaxError, globToRegExp, parseFaults, verdictFor } from '../../src/sandbox/faults.js';

describe('--faults syntax', () => {
  it('reads every documented entry, across repeated flags', () => {
    const f = parseFaults(['reject=*.bad.csv,429-every=5,slow=200ms', 'partial=P?.zip,retry-after=3,5xx-every=7,reset-every=9,token-ttl=2m,expire-token-every=4,url-ttl=5s,polls=1']);
    expect(f).toEqual({
      reject: ['*.bad.csv'],
      partial: ['P?.zip'],
      every429: 5,
      retryAfter: 3,
      every5xx: 7,
      resetEvery: 9,
      slowMs: 200,
      tokenTtlSeconds: 120,
      expireTokenEvery: 4,
      urlTtlSeconds: 5,
      pollsToVerdict: 1,
    });
  });

  it.each([
    ['explode=1', /unknown fault 'explode'/],
    ['429-every', /expected name=value/],
    ['429-every=0', /whole number of 1 or more/],
    ['429-every=x', /whole number/],
    ['slow=fast', /expected a duration/],
    ['token-ttl=500ms', /whole seconds/],
    ['reject=', /expected name=value/],
  ])('refuses %s', (entry, message) => {
    expect(() => parseFaults([entry])).toThrow(FaultSyntaxError);
    expect(() => parseFaults([entry])).toThrow(message);
  });

  it('globs match whole names, with * and ? only', () => {
    expect(globToRegExp('*.bad.csv').test('x.bad.csv')).toBe(true);
    expect(globToRegExp('*.bad.csv').test('x.bad.csv.zip')).toBe(false);
    expect(globToRegExp('*.bad.csv').test('xXbadXcsv')).toBe(false);
    expect(globToRegExp('a?(1).zip').test('ab(1).zip')).toBe(true);
    const verdict = verdictFor(parseFaults(['reject=*.bad.zip,partial=P*']));
    expect(['a.bad.zip', 'P.zip', 'a.zip'].map(verdict)).toEqual(['REJECTED', 'PARTIALLY_REJECTED', 'ACCEPTED']);
  });

  it('counts: the nth request gets 429 before 503 before a cut', () => {
    const f = parseFaults(['429-every=2,5xx-every=3,reset-every=5']);
    expect([1, 2, 3, 4, 5, 6, 10, 15, 30].map((n) => faultForRequest(f, n))).toEqual([undefined, '429', '5xx', '429', 'reset', '429', '429', '5xx', '429']);
  });
});
