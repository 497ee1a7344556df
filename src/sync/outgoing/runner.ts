/**
 * Runs outgoing cycles for one worker (channel-runner.ts): claims due
 * mailboxes on the 'outgoing' channel and keeps at most `concurrency` cycles
 * going. A send request makes its mailbox due at once (send-request.ts), so
 * email goes out within one worker tick.
 */
import { ChannelRunner, type ChannelRunnerOptions } from '../channel-runner.js';
import {
  DEFAULT_LEASE_MS,
  runOutgoingCycle,
  type OutgoingCycleOutcome,
  type OutgoingDependencies,
} from './cycle.js';

export interface OutgoingSyncOptions extends OutgoingDependencies, ChannelRunnerOptions {}

export class OutgoingSync extends ChannelRunner<OutgoingDependencies, OutgoingCycleOutcome> {
  constructor(options: OutgoingSyncOptions) {
    super(
      {
        channel: 'outgoing',
        label: 'outgoing',
        defaultConcurrency: 4,
        defaultLeaseMs: DEFAULT_LEASE_MS,
        // CalDAV/CardDAV profiles have no SMTP server; the preconditions would fail them forever.
        excludeServerTypes: ['caldav-carddav'],
        warnOnTakeover: true,
        runCycle: runOutgoingCycle,
      },
      options,
    );
  }
}
