import { describe, expect, it } from 'vitest';
import { eventBody } from '../../../src/webhooks/events.js';

describe('webhook event bodies', () => {
  it('carries only the documented fields of its type, with times in ISO 8601 UTC', () => {
    const body = eventBody({
      id: 'e1',
      type: 'email.received',
      createdAt: new Date('2025-03-01T10:00:00Z'),
      data: {
        itemId: 'i1',
        mailboxId: 'm1',
        activityId: 'a1',
        createdActivity: true,
        messageId: '<x@y>',
        subject: 'Hello',
        receivedAt: '2025-03-01T11:00:00+01:00',
        // Never sent, even if the data held it.
        body: 'the message text',
        password: 'p',
      },
    });
    expect(body).toEqual({
      id: 'e1',
      type: 'email.received',
      createdAt: '2025-03-01T10:00:00.000Z',
      data: {
        itemId: 'i1',
        mailboxId: 'm1',
        activityId: 'a1',
        createdActivity: true,
        messageId: '<x@y>',
        subject: 'Hello',
        receivedAt: '2025-03-01T10:00:00.000Z',
      },
    });
  });

  it('gives an item failure its code, reason and status', () => {
    const body = eventBody({
      id: 'e2',
      type: 'item.failed',
      createdAt: new Date('2025-03-01T10:00:00Z'),
      data: {
        itemId: 'i2',
        mailboxId: 'm1',
        status: 'parked',
        code: 'InvalidSender',
        reason: 'no From',
        attempts: 5,
        activityId: 'a9',
      },
    });
    expect(body.data).toEqual({
      itemId: 'i2',
      mailboxId: 'm1',
      status: 'parked',
      code: 'InvalidSender',
      reason: 'no From',
      attempts: 5,
    });
  });
});
