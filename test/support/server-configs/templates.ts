// Configuration files for the test servers started by ../servers.ts. Each function returns the file
// text for one program; every path and port comes from the caller so that runs never share state.

export interface DovecotConfigInput {
  instanceName: string;
  baseDir: string;
  stateDir: string;
  logPath: string;
  /** One passwd-file per user, named by the address (see passdb below). */
  passwdDir: string;
  mailRoot: string;
  certPath: string;
  keyPath: string;
  /** Debian ships DH parameters; only needed for non-ECDHE ciphers, so optional. */
  dhPath: string | undefined;
  mailUid: number;
  mailGid: number;
  domain: string;
  ports: { imap: number; imaps: number; pop3: number; pop3s: number; submission: number; lmtp: number };
  relayPort: number;
}

export function dovecotConfig(c: DovecotConfigInput): string {
  return `# Generated for one test run; see test/support/servers.ts.
instance_name = ${c.instanceName}
base_dir = ${c.baseDir}
state_dir = ${c.stateDir}
log_path = ${c.logPath}
protocols = imap pop3 lmtp submission
listen = 127.0.0.1
hostname = localhost

# The master runs as root, but nothing it forks may: mail belongs to a dedicated user.
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = ${c.mailUid}
last_valid_uid = ${c.mailUid}
first_valid_gid = ${c.mailGid}
last_valid_gid = ${c.mailGid}

# One instance serves plain (with optional STARTTLS) and implicit-TLS ports.
ssl = yes
ssl_cert = <${c.certPath}
ssl_key = <${c.keyPath}
${c.dhPath === undefined ? '' : `ssl_dh = <${c.dhPath}`}
disable_plaintext_auth = no
auth_mechanisms = plain login
# Negative-login tests must fail at once, not after the default 2 s.
auth_failure_delay = 0

# One passwd-file per user rather than one shared file: Dovecot re-reads a changed passwd-file at
# most once per second, so a user appended just after a lookup stays unknown until the next second.
# A file that Dovecot has not seen yet is always read fresh, so a new user can log in at once.
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${c.passwdDir}/%u
}
userdb {
  driver = static
  args = uid=${c.mailUid} gid=${c.mailGid} home=${c.mailRoot}/%u
}

mail_location = maildir:~/Maildir
mail_fsync = never
# Sync tests open many IDLE connections for one user from one address.
mail_max_userip_connections = 500
pop3_uidl_format = %08Xu%08Xv

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${c.ports.imap}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${c.ports.imaps}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${c.ports.pop3}
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = ${c.ports.pop3s}
    ssl = yes
  }
}
service submission-login {
  inet_listener submission {
    address = 127.0.0.1
    port = ${c.ports.submission}
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${c.ports.lmtp}
  }
}
# Without this, every failed login slows later logins from 127.0.0.1 (2, 4, 8, 15 s),
# even with auth_failure_delay = 0, and negative tests stall the whole suite.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

protocol lmtp {
  postmaster_address = postmaster@${c.domain}
}

# Submission hands mail to the relay MTA, which delivers back into this Dovecot by LMTP.
submission_relay_host = 127.0.0.1
submission_relay_port = ${c.relayPort}
submission_relay_trusted = yes
submission_relay_ssl = no
`;
}

export interface SmtpdConfigInput {
  virtualsPath: string;
  relayPort: number;
  lmtpPort: number;
}

export function smtpdConfig(c: SmtpdConfigInput): string {
  // Every recipient goes to Dovecot by LMTP with its original address (rcpt-to); the virtual
  // table only exists because OpenSMTPD needs a local user to run the LMTP delivery agent as.
  // Dovecot rejects unknown users, and OpenSMTPD then bounces to the sender like a real MTA.
  return `# Generated for one test run; see test/support/servers.ts.
table virtuals file:${c.virtualsPath}
listen on 127.0.0.1 port ${c.relayPort} hostname localhost
action "deliver" lmtp "127.0.0.1:${c.lmtpPort}" rcpt-to virtual <virtuals>
match from any for any action "deliver"
match from local for any action "deliver"
`;
}

export interface RadicaleConfigInput {
  port: number;
  htpasswdFile: string;
  storageDir: string;
  tls: { certPath: string; keyPath: string } | undefined;
}

export function radicaleConfig(c: RadicaleConfigInput): string {
  const tlsLines =
    c.tls === undefined
      ? 'ssl = False'
      : `ssl = True\ncertificate = ${c.tls.certPath}\nkey = ${c.tls.keyPath}`;
  return `# Generated for one test run; see test/support/servers.ts.
[server]
hosts = 127.0.0.1:${c.port}
max_connections = 64
${tlsLines}

[auth]
type = htpasswd
htpasswd_filename = ${c.htpasswdFile}
htpasswd_encryption = plain
# Negative-login tests must fail at once.
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = ${c.storageDir}

[web]
type = none

[logging]
level = warning
`;
}
