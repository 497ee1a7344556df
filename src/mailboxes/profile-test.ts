/**
 * An email server profile's connection test: connect to each server the
 * profile names with the profile's own credentials (or with credentials given
 * for this test only, when the profile takes them from each mailbox), and
 * record the result on the profile and as a profile alert.
 */
import type { Db } from '../db/connection.js';
import type { Row } from '../db/schema.js';
import { raiseAlert } from '../diagnostics/alerts.js';
import { ConnectorFailure, type Credentials, type ProbeReport } from '../connectors/types.js';
import type { SecretBox } from '../security/secrets.js';
import type { SyncChannel } from '../security/sync-requirements.js';
import {
  davEndpoint,
  emailEndpoint,
  incomingProtocol,
  profileCredentials as storedCredentials,
  type TlsTrust,
} from './connection-settings.js';
import type { ConnectorSet, FailureClassifier } from './test-and-enable.js';

export interface ProfileTestDependencies {
  readonly db: Db;
  readonly secrets: SecretBox;
  readonly connectors: ConnectorSet;
  readonly classify: FailureClassifier;
  readonly trust: TlsTrust;
}

export interface ProfileTestResult {
  readonly workload: SyncChannel;
  readonly status: 'success' | 'failure' | 'skipped';
  readonly detail: string;
  readonly code?: string;
}

const WORKLOAD_WORDS: Readonly<Record<SyncChannel, string>> = {
  incoming: 'incoming email',
  outgoing: 'outgoing email',
  act: 'appointments, contacts, and tasks',
};

function profileCredentials(
  channel: SyncChannel,
  profile: Row<'emailServerProfiles'>,
  secrets: SecretBox,
  given: Credentials | undefined,
): Credentials | undefined {
  if (given) return given;
  return profile.credentialSource === 'profile' ? storedCredentials(channel, profile, secrets) : undefined;
}

async function probe(
  deps: ProfileTestDependencies,
  channel: SyncChannel,
  profile: Row<'emailServerProfiles'>,
  credentials: Credentials,
): Promise<ProbeReport | 'not configured'> {
  if (channel === 'act') {
    const endpoint = davEndpoint(profile, deps.trust);
    return endpoint ? deps.connectors.act().probe(endpoint, credentials) : 'not configured';
  }
  const endpoint = emailEndpoint(channel, profile, deps.trust);
  if (!endpoint || profile.serverType === 'caldav-carddav') return 'not configured';
  return channel === 'incoming'
    ? deps.connectors.incoming(incomingProtocol(profile)).probe(endpoint, credentials)
    : deps.connectors.outgoing().probe(endpoint, credentials);
}

export async function testProfileConnection(
  deps: ProfileTestDependencies,
  profile: Row<'emailServerProfiles'>,
  given?: Credentials,
): Promise<ProfileTestResult[]> {
  const startedAt = new Date();
  const owner = {
    id: profile.id,
    name: profile.name,
    ownerId: profile.ownerId,
    ownerType: profile.ownerType,
    businessUnitId: profile.businessUnitId,
  };
  const results: ProfileTestResult[] = [];
  for (const channel of ['incoming', 'outgoing', 'act'] as const) {
    const credentials = profileCredentials(channel, profile, deps.secrets, given);
    if (!credentials) {
      results.push({
        workload: channel,
        status: 'skipped',
        detail: 'no credentials: give a user name and password for the test',
      });
      continue;
    }
    try {
      const report = await probe(deps, channel, profile, credentials);
      if (report === 'not configured') {
        results.push({ workload: channel, status: 'skipped', detail: 'the profile has no server for this' });
        continue;
      }
      results.push({ workload: channel, status: 'success', detail: report.summary });
      await raiseAlert(deps.db, {
        entryId: 'MR22',
        profile: owner,
        values: { workload: WORKLOAD_WORDS[channel] },
      });
    } catch (error) {
      if (!(error instanceof ConnectorFailure)) throw error;
      const classification = deps.classify(error.details, {
        channel,
        credentialSource: given ? 'mailbox' : profile.credentialSource,
        during: 'test',
      });
      results.push({
        workload: channel,
        status: 'failure',
        detail: classification.reason,
        code: classification.code,
      });
      await raiseAlert(deps.db, {
        entryId: 'MR21',
        profile: owner,
        values: { workload: WORKLOAD_WORDS[channel], reason: classification.reason },
        details: { code: classification.code, ...error.details },
      });
    }
  }
  const tested = results.filter((result) => result.status !== 'skipped');
  const failed = tested.filter((result) => result.status === 'failure');
  await deps.db
    .updateTable('emailServerProfiles')
    .set({
      lastTestStartedAt: startedAt,
      lastTestStatus: tested.length === 0 ? 'warning' : failed.length > 0 ? 'failure' : 'success',
      lastTestMessage: results
        .map((result) => `${result.workload}: ${result.status} (${result.detail})`)
        .join('; '),
    })
    .where('id', '=', profile.id)
    .execute();
  return results;
}
