/**
 * Runs incoming cycles for one worker (channel-runner.ts): claims due
 * mailboxes on the 'incoming' channel and keeps at most `concurrency` cycles
 * going, over IMAP or POP3 as each mailbox's profile says.
 */
import { ChannelRunner, type ChannelRunnerOptions } from '../channel-runner.js';
import { DEFAULT_LEASE_MS, runIncomingCycle, type CycleOutcome, type IncomingDependencies } from './cycle.js';

export interface IncomingSyncOptions extends IncomingDependencies, ChannelRunnerOptions {}

export class IncomingSync extends ChannelRunner<IncomingDependencies, CycleOutcome> {
  constructor(options: IncomingSyncOptions) {
    super(
      {
        channel: 'incoming',
        label: 'incoming',
        defaultConcurrency: 4,
        defaultLeaseMs: DEFAULT_LEASE_MS,
        warnOnTakeover: true,
        runCycle: runIncomingCycle,
      },
      options,
    );
  }
}
