import type { ActiveState, AlertLevel, ApprovalStatus, ChannelStatus } from '../api/types';
import { APPROVAL_STATUS, CHANNEL_STATUS } from '../labels';

type Tone = 'good' | 'bad' | 'warn' | 'neutral';

/** A status in words with a colour and a shape, so colour is never the only signal. */
export function Badge({ tone, children }: { tone: Tone; children: string }) {
  const mark = { good: '✓', bad: '✕', warn: '!', neutral: '○' }[tone];
  return (
    <span className={`badge badge-${tone}`}>
      <span aria-hidden="true">{mark}</span> {children}
    </span>
  );
}

export function ChannelStatusBadge({ status }: { status: ChannelStatus }) {
  const tone: Tone = status === 'success' ? 'good' : status === 'failure' ? 'bad' : 'neutral';
  return <Badge tone={tone}>{CHANNEL_STATUS[status]}</Badge>;
}

export function ApprovalBadge({ status }: { status: ApprovalStatus }) {
  const tone: Tone =
    status === 'approved'
      ? 'good'
      : status === 'rejected'
        ? 'bad'
        : status === 'pendingApproval'
          ? 'warn'
          : 'neutral';
  return <Badge tone={tone}>{APPROVAL_STATUS[status]}</Badge>;
}

export function StateBadge({ state }: { state: ActiveState }) {
  return (
    <Badge tone={state === 'active' ? 'good' : 'neutral'}>{state === 'active' ? 'Active' : 'Inactive'}</Badge>
  );
}

const LEVEL_TEXT: Readonly<Record<AlertLevel, string>> = {
  error: 'Error',
  warning: 'Warning',
  information: 'Information',
};

/** The reference system's alert level icons: a red cross, a yellow triangle, a blue "i". */
export function LevelIcon({ level }: { level: AlertLevel }) {
  const symbol = { error: '✕', warning: '!', information: 'i' }[level];
  return (
    <span
      className={`level-icon level-${level}`}
      role="img"
      aria-label={LEVEL_TEXT[level]}
      title={LEVEL_TEXT[level]}
    >
      {symbol}
    </span>
  );
}
