// Server-side interventions on the test Dovecot, for tests of what a client does when the server
// misbehaves.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readTestServers, type MailUser } from './mail-users.js';

const execFileAsync = promisify(execFile);

/**
 * Disconnects every IMAP/POP3 session of the user at once (`doveadm kick`: Dovecot signals the
 * processes serving them), as a server restart or an administrator would. Resolves with how many
 * sessions were open, and so dropped.
 */
export async function kickSessions(user: MailUser): Promise<number> {
  const sessions = await openSessions(user);
  if (sessions === 0) return 0;
  await doveadm(['kick', user.username]);
  return sessions;
}

/** How many sessions Dovecot serves for the user now (`doveadm who`). */
export async function openSessions(user: MailUser): Promise<number> {
  // Lines: "<user> <connections> <protocol> (<pids>) (<ips>)" after a heading line.
  const lines = (await doveadm(['who', user.username])).split('\n').slice(1);
  return lines
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[0] === user.username)
    .reduce((sum, fields) => sum + Number(fields[1] ?? 0), 0);
}

async function doveadm(args: string[]): Promise<string> {
  const config = readTestServers().files.dovecotConfig;
  try {
    return (await execFileAsync('/usr/bin/doveadm', ['-c', config, ...args])).stdout;
  } catch (error) {
    // doveadm exits 68 (EX_NOUSER) when the user has no session: nothing to list or drop.
    if ((error as { code?: number }).code === 68) return '';
    throw error;
  }
}
