/**
 * The privilege vocabulary as the role grid shows it: entities in groups (the
 * tabs of the reference system's role editor), the eight access rights as
 * columns, and the special privileges as "Miscellaneous Privileges".
 */
import type { Depth } from '../../api/types';

export const RIGHTS = [
  ['create', 'Create'],
  ['read', 'Read'],
  ['write', 'Write'],
  ['delete', 'Delete'],
  ['append', 'Append'],
  ['appendTo', 'Append To'],
  ['assign', 'Assign'],
  ['share', 'Share'],
] as const;

export const ENTITY_GROUPS: readonly { label: string; entities: readonly (readonly [string, string])[] }[] = [
  {
    label: 'Core Records',
    entities: [
      ['account', 'Account'],
      ['contact', 'Contact'],
      ['lead', 'Lead'],
      ['activity', 'Activity'],
      ['queue', 'Queue'],
      ['queueItem', 'Queue Item'],
    ],
  },
  {
    label: 'Email Configuration',
    entities: [
      ['mailbox', 'Mailbox'],
      ['emailServerProfile', 'Email Server Profile'],
      ['alert', 'Alert (Trace Log)'],
    ],
  },
  {
    label: 'Business Management',
    entities: [
      ['organization', 'Organization'],
      ['businessUnit', 'Business Unit'],
      ['user', 'User'],
      ['team', 'Team'],
      ['role', 'Security Role'],
    ],
  },
];

export const SPECIAL = [
  ['special:sendAsUser', 'Send Email as Another User'],
  ['special:approveEmailAddress', 'Approve Email Addresses for Users or Queues'],
] as const;

const ORDER: readonly Depth[] = ['none', 'user', 'businessUnit', 'parentChild', 'organization'];

/** The next depth when an admin clicks a cell: none → user → business unit → parent: child → organization → none. */
export function nextDepth(depth: Depth): Depth {
  return ORDER[(ORDER.indexOf(depth) + 1) % ORDER.length] ?? 'none';
}
