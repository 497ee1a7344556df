/**
 * What a failed SMTP send means for the message, decided from three facts
 * the session knows: whether the final "." of DATA had been handed to the
 * server, whether the server answered, and whether the connection was an
 * old one reused from an earlier message. Pure, so every case is unit-tested.
 *
 * The final dot is the point of no return: before it, a server that loses
 * the connection throws the partial message away (RFC 5321 §4.1.1.4), so the
 * message can go again without any risk of a duplicate. After it, a missing
 * reply leaves the outcome unknown — the server may have queued it.
 */

export interface SendFailureFacts {
  /** the final dot had been released to the server when the failure came */
  readonly handedOver: boolean;
  /** the server's reply code for the failure, if it sent one */
  readonly replyCode: number | undefined;
  /** the SMTP command the failure answered ("MAIL FROM", "DATA"…), when known */
  readonly command?: string | undefined;
  /** the connection was lost (closed, reset, timed out) */
  readonly connectionLost: boolean;
  /** the connection had already carried an earlier message (so it may have gone stale while idle) */
  readonly reusedConnection: boolean;
  /** this message already got its one retry on a fresh connection */
  readonly retried: boolean;
}

export type SendFailureAftermath =
  /** a reused connection went stale before the message was handed over: reconnect and send it once more */
  | 'retryOnNewConnection'
  /** the server does not have the message (it refused it, or never got the final dot) */
  | 'notSent'
  /** the final dot went out and no reply came back: the server may or may not have taken it */
  | 'unconfirmed';

/** 421 is the server closing the channel: for a stale connection it means the same as a drop. */
const SERVICE_CLOSING = 421;

/**
 * A temporary refusal of MAIL FROM on a connection that already carried
 * messages is how servers enforce a per-connection message cap (OpenSMTPD:
 * "452 4.5.3 Too many messages sent" after 100); a new connection is the cure.
 */
function perConnectionLimit(facts: SendFailureFacts): boolean {
  return (
    facts.command === 'MAIL FROM' &&
    facts.replyCode !== undefined &&
    facts.replyCode >= 400 &&
    facts.replyCode < 500
  );
}

export function sendFailureAftermath(facts: SendFailureFacts): SendFailureAftermath {
  if (facts.handedOver) {
    // A reply to the final dot (4xx/5xx) is an explicit "not taken"; silence is not.
    return facts.replyCode !== undefined && facts.replyCode >= 400 ? 'notSent' : 'unconfirmed';
  }
  const staleConnection =
    facts.connectionLost || facts.replyCode === SERVICE_CLOSING || perConnectionLimit(facts);
  if (staleConnection && facts.reusedConnection && !facts.retried) return 'retryOnNewConnection';
  return 'notSent';
}
