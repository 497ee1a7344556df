import { describe, expect, it } from 'vitest';
import { sendFailureAftermath, type SendFailureFacts } from '../../../src/connectors/smtp/send-decisions.js';

const base: SendFailureFacts = {
  handedOver: false,
  replyCode: undefined,
  connectionLost: false,
  reusedConnection: false,
  retried: false,
};

describe('what a failed SMTP send means for the message', () => {
  it('retries once on a fresh connection when a reused one turns out dead before the final dot', () => {
    expect(sendFailureAftermath({ ...base, connectionLost: true, reusedConnection: true })).toBe(
      'retryOnNewConnection',
    );
    expect(sendFailureAftermath({ ...base, replyCode: 421, reusedConnection: true })).toBe(
      'retryOnNewConnection',
    );
  });

  it('takes a 4xx to MAIL FROM on a reused connection for a per-connection cap, and reconnects', () => {
    const capped = { ...base, replyCode: 452, command: 'MAIL FROM', reusedConnection: true };
    expect(sendFailureAftermath(capped)).toBe('retryOnNewConnection');
    expect(sendFailureAftermath({ ...capped, reusedConnection: false })).toBe('notSent');
    expect(sendFailureAftermath({ ...capped, command: 'RCPT TO' })).toBe('notSent');
    expect(sendFailureAftermath({ ...capped, replyCode: 550 })).toBe('notSent');
  });

  it('does not retry on a fresh connection, nor a second time', () => {
    expect(sendFailureAftermath({ ...base, connectionLost: true })).toBe('notSent');
    expect(
      sendFailureAftermath({ ...base, connectionLost: true, reusedConnection: true, retried: true }),
    ).toBe('notSent');
  });

  it('treats refusals before the dot as not sent, whatever the connection', () => {
    expect(sendFailureAftermath({ ...base, replyCode: 550, reusedConnection: true })).toBe('notSent');
    expect(sendFailureAftermath({ ...base, replyCode: 451, reusedConnection: true })).toBe('notSent');
  });

  it('calls a lost connection or a timeout after the dot unconfirmed: the server may have the message', () => {
    expect(sendFailureAftermath({ ...base, handedOver: true, connectionLost: true })).toBe('unconfirmed');
    expect(
      sendFailureAftermath({ ...base, handedOver: true, connectionLost: true, reusedConnection: true }),
    ).toBe('unconfirmed');
  });

  it('takes a 4xx or 5xx reply to the dot as an explicit refusal (not sent), even with the connection then closed', () => {
    expect(sendFailureAftermath({ ...base, handedOver: true, replyCode: 451 })).toBe('notSent');
    expect(sendFailureAftermath({ ...base, handedOver: true, replyCode: 554 })).toBe('notSent');
    expect(sendFailureAftermath({ ...base, handedOver: true, replyCode: 421, connectionLost: true })).toBe(
      'notSent',
    );
  });
});
