/**
 * Runs ACT cycles for one worker (channel-runner.ts): claims due mailboxes on
 * the 'act' channel (CalDAV/CardDAV profiles only) and keeps at most
 * `concurrency` cycles going.
 */
import { ChannelRunner, type ChannelRunnerOptions } from '../channel-runner.js';
import { DEFAULT_ACT_LEASE_MS, runActCycle, type ActCycleOutcome, type ActDependencies } from './cycle.js';

export interface ActSyncOptions extends ActDependencies, ChannelRunnerOptions {}

export class ActSync extends ChannelRunner<ActDependencies, ActCycleOutcome> {
  constructor(options: ActSyncOptions) {
    super(
      {
        channel: 'act',
        label: 'ACT',
        defaultConcurrency: 2,
        defaultLeaseMs: DEFAULT_ACT_LEASE_MS,
        warnOnTakeover: true,
        runCycle: runActCycle,
      },
      options,
    );
  }
}
