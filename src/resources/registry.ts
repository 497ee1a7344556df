/** Every resource the API and `mailroom apply` manage, in dependency order. */
import { alerts } from '../diagnostics/resources.js';
import { emailServerProfiles, mailboxes } from '../mailboxes/resources.js';
import { appointments, emails, tasks } from '../records/activities.js';
import { accounts, contacts, leads, queueItems, queues } from '../records/resources.js';
import { businessUnits, roles, teams, users } from '../security/resources.js';
import type { Resource } from './definition.js';

export const RESOURCES: readonly Resource[] = [
  businessUnits,
  roles,
  users,
  teams,
  emailServerProfiles,
  queues,
  mailboxes,
  accounts,
  contacts,
  leads,
  emails,
  appointments,
  tasks,
  queueItems,
  alerts,
];
