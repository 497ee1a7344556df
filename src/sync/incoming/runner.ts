/**
 * Runs incoming cycles for one worker (channel-runner.ts): claims due
 * mailboxes on the 'incoming' channel and keeps at most `concurrency` cycles
 * going.
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
        // No POP3 source exists yet; such mailboxes are left for it rather than failed.
        excludeServerTypes: ['pop3-smtp'],
        warnOnTakeover: true,
        runCycle: runIncomingCycle,
      },
      options,
    );
  }
}
