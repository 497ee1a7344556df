/**
 * Incoming email is written on behalf of the mailbox owner (a user, or the
 * team that owns a queue): every record the pipeline writes first passes the
 * privilege engine as that owner. A refusal stops the whole batch (its
 * transaction rolls back, the cursor stays), so nothing is written and nothing
 * is lost: the messages are read again in the next cycle, after the fix.
 *
 * Which alert a refusal raises follows the reference and Test & Enable
 * (preconditions.ts): an owner without any role is C1 for a team (the
 * documented "queue owned by a team with no roles" case) and MR13-in for a
 * user; a missing read on the queue is C6; any other missing privilege is
 * MR13-in, which names it. All are transient: the mailbox keeps retrying.
 */
import type { Diagnosis, RecordLink } from '../../diagnostics/diagnosis.js';
import type { PlaceholderValues } from '../../diagnostics/render.js';
import type { Privilege } from '../../security/catalogue.js';
import { decide, type Denial } from '../../security/engine.js';
import type { BusinessUnitTree, Principal, RecordOwnership } from '../../security/model.js';

export class OwnerDeniedError extends Error {
  override readonly name = 'OwnerDeniedError';
  constructor(
    readonly owner: Principal,
    readonly denial: Denial,
    /** what the pipeline was doing, in words */
    readonly action: string,
  ) {
    super(`${owner.kind} ${owner.name} may not ${action}: ${denial.privilegeName} (${denial.reason})`);
  }
}

/** The owner as the pipeline checks it: `require` throws `OwnerDeniedError`. */
export class OwnerAuthority {
  constructor(
    readonly owner: Principal,
    readonly tree: BusinessUnitTree,
  ) {}

  require(privilege: Privilege, record: RecordOwnership, action: string): void {
    const decision = decide(this.owner, privilege, record, this.tree);
    if (!decision.allowed) throw new OwnerDeniedError(this.owner, decision, action);
  }

  /** Whether the owner may, for optional work that is skipped rather than failed (auto-created contacts). */
  allows(privilege: Privilege, record: RecordOwnership): boolean {
    return decide(this.owner, privilege, record, this.tree).allowed;
  }

  /** Records the owner creates are owned by the owner, in the owner's business unit. */
  ownRecord(entity: RecordOwnership['entity']): RecordOwnership {
    return { entity, ownerId: this.owner.id, businessUnitId: this.owner.businessUnitId };
  }
}

export interface DenialAlert {
  readonly entryId: 'C1' | 'C6' | 'MR13-in';
  readonly values: PlaceholderValues;
  readonly diagnosis: Diagnosis;
}

/** The alert for a refusal, with its diagnosis. */
export function denialAlert(error: Pick<OwnerDeniedError, 'owner' | 'denial' | 'action'>): DenialAlert {
  const { owner, denial } = error;
  const ownerLink: RecordLink = { type: owner.kind, id: owner.id, name: owner.name };
  const ownerWords = `${owner.kind} ${owner.name}`;
  const values: PlaceholderValues = { principalName: owner.name, privilegeName: denial.privilegeName };
  if (denial.reason === 'noRoles') {
    return {
      entryId: owner.kind === 'team' ? 'C1' : 'MR13-in',
      values,
      diagnosis: {
        summary: `${ownerWords}, which owns the mailbox, has no security roles, so it may not ${error.action}`,
        findings: [{ record: ownerLink, problem: 'has no security roles' }],
        fix: `Assign ${ownerWords} a security role with the incoming email privileges (docs/security.md); the next cycle creates the emails.`,
      },
    };
  }
  const queueRead =
    denial.privilege.kind === 'record' &&
    denial.privilege.entity === 'queue' &&
    denial.privilege.right === 'read';
  const why =
    denial.reason === 'principalDisabled'
      ? 'is disabled'
      : denial.reason === 'depthInsufficient'
        ? `holds ${denial.privilegeName}, but not at a depth that reaches the record`
        : `lacks ${denial.privilegeName}`;
  return {
    entryId: queueRead ? 'C6' : 'MR13-in',
    values,
    diagnosis: {
      summary: `${ownerWords}, which owns the mailbox, ${why}, so it may not ${error.action}`,
      findings: [{ record: ownerLink, problem: why }],
      fix:
        denial.reason === 'principalDisabled'
          ? `Enable ${ownerWords}; the next cycle creates the emails.`
          : `Give ${ownerWords} a role that grants ${denial.privilegeName} (docs/security.md); the next cycle creates the emails.`,
    },
  };
}
