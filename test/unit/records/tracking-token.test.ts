import { describe, expect, it } from 'vitest';
import { extractTrackingToken, formatTrackingToken, withTrackingToken } from '../../../src/records/tracking-token.js';

describe('tracking tokens', () => {
  it('formats the number zero-padded after the prefix', () => {
    expect(formatTrackingToken('CRM:', 1042, 3)).toBe('CRM:0001042');
    expect(formatTrackingToken('MR-', 7, 1)).toBe('MR-00007');
    expect(() => formatTrackingToken('CRM:', -1, 3)).toThrow(RangeError);
  });

  it('finds the last token in a reply subject, and nothing in look-alikes', () => {
    expect(extractTrackingToken('RE: Quote for May CRM:0001042', 'CRM:', 3)).toBe('CRM:0001042');
    expect(extractTrackingToken('FW: old CRM:0000001 RE: new CRM:0000002', 'CRM:', 3)).toBe('CRM:0000002');
    expect(extractTrackingToken('Order XCRM:0001042', 'CRM:', 3)).toBeUndefined();
    expect(extractTrackingToken('CRM:00010 too short', 'CRM:', 3)).toBeUndefined();
    expect(extractTrackingToken('anything', '', 3)).toBeUndefined();
    expect(extractTrackingToken('a.b* token a.b*0000012', 'a.b*', 3)).toBe('a.b*0000012');
  });

  it('appends the token within the subject length limit', () => {
    expect(withTrackingToken('Quote for May', 'CRM:0001042')).toBe('Quote for May CRM:0001042');
    expect(withTrackingToken('Quote CRM:0001042', 'CRM:0001042')).toBe('Quote CRM:0001042');
    const long = 'x'.repeat(300);
    const result = withTrackingToken(long, 'CRM:0001042');
    expect(result).toHaveLength(255);
    expect(result.endsWith(' CRM:0001042')).toBe(true);
    expect(withTrackingToken('', 'CRM:0001042')).toBe('CRM:0001042');
    expect(withTrackingToken('Hi', 'T'.repeat(300), 255)).toBe('Hi');
  });
});
