/**
 * The foundation schema: organization, security, queues, mailboxes, alerts and
 * the application records that synchronization produces.
 *
 * Plain SQL that PostgreSQL and PGlite both accept. Enumerations are text with
 * CHECK constraints so that the values read in SQL the way the API spells them.
 */
import { sql, type Kysely } from 'kysely';

const OWNER = `
  owner_id uuid NOT NULL,
  owner_type text NOT NULL CHECK (owner_type IN ('user', 'team')),
  business_unit_id uuid NOT NULL REFERENCES business_units(id)`;

const TIMESTAMPS = `
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()`;

const STATEMENTS = [
  `CREATE TABLE business_units (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    parent_id uuid REFERENCES business_units(id),
    disabled boolean NOT NULL DEFAULT false,
    ${TIMESTAMPS}
  )`,
  `CREATE UNIQUE INDEX business_units_single_root ON business_units ((parent_id IS NULL)) WHERE parent_id IS NULL`,

  `CREATE TABLE organization (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    product_name text NOT NULL DEFAULT 'Mailroom',
    require_approval_for_user_email boolean NOT NULL DEFAULT true,
    require_approval_for_queue_email boolean NOT NULL DEFAULT true,
    email_correlation_enabled boolean NOT NULL DEFAULT true,
    tracking_token_prefix text NOT NULL DEFAULT 'CRM:',
    tracking_token_digits integer NOT NULL DEFAULT 3 CHECK (tracking_token_digits BETWEEN 1 AND 9),
    tracking_token_enabled boolean NOT NULL DEFAULT true,
    smart_matching_enabled boolean NOT NULL DEFAULT false,
    auto_create_contacts boolean NOT NULL DEFAULT false,
    ignore_internal_email boolean NOT NULL DEFAULT false,
    track_internal_email_as_two_activities boolean NOT NULL DEFAULT false,
    generate_alerts_for_errors boolean NOT NULL DEFAULT true,
    generate_alerts_for_warnings boolean NOT NULL DEFAULT true,
    generate_alerts_for_information boolean NOT NULL DEFAULT true,
    notify_mailbox_owner_of_profile_alerts boolean NOT NULL DEFAULT false,
    max_incoming_message_size_kb integer NOT NULL DEFAULT 0 CHECK (max_incoming_message_size_kb >= 0),
    max_attachment_size_kb integer NOT NULL DEFAULT 5120 CHECK (max_attachment_size_kb >= 0),
    transient_failure_limit integer NOT NULL DEFAULT 10 CHECK (transient_failure_limit >= 1),
    default_email_server_profile_id uuid,
    ${TIMESTAMPS}
  )`,

  `CREATE TABLE users (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    username text NOT NULL UNIQUE,
    email_address text,
    business_unit_id uuid NOT NULL REFERENCES business_units(id),
    disabled boolean NOT NULL DEFAULT false,
    allow_send_as boolean NOT NULL DEFAULT false,
    ${TIMESTAMPS}
  )`,
  `CREATE INDEX users_business_unit ON users (business_unit_id)`,
  `CREATE INDEX users_email ON users (lower(email_address))`,

  `CREATE TABLE teams (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    team_type text NOT NULL DEFAULT 'owner' CHECK (team_type IN ('owner', 'access')),
    business_unit_id uuid NOT NULL REFERENCES business_units(id),
    administrator_id uuid REFERENCES users(id),
    email_address text,
    ${TIMESTAMPS},
    UNIQUE (business_unit_id, name)
  )`,
  `CREATE TABLE team_members (
    team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
  )`,
  `CREATE INDEX team_members_user ON team_members (user_id)`,

  `CREATE TABLE roles (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    business_unit_id uuid NOT NULL REFERENCES business_units(id),
    member_inheritance text NOT NULL DEFAULT 'directUser' CHECK (member_inheritance IN ('team', 'directUser')),
    predefined_key text UNIQUE,
    ${TIMESTAMPS},
    UNIQUE (business_unit_id, name)
  )`,
  `CREATE TABLE role_privileges (
    role_id uuid NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    privilege_key text NOT NULL,
    depth text NOT NULL CHECK (depth IN ('user', 'businessUnit', 'parentChild', 'organization')),
    PRIMARY KEY (role_id, privilege_key)
  )`,
  `CREATE TABLE user_roles (
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id uuid NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
  )`,
  `CREATE TABLE team_roles (
    team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    role_id uuid NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, role_id)
  )`,

  `CREATE TABLE api_tokens (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    token_prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at timestamptz,
    revoked_at timestamptz
  )`,

  `CREATE TABLE email_server_profiles (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    server_type text NOT NULL CHECK (server_type IN ('imap-smtp', 'pop3-smtp', 'caldav-carddav')),
    incoming_host text,
    incoming_port integer CHECK (incoming_port BETWEEN 1 AND 65535),
    incoming_tls text NOT NULL DEFAULT 'implicit' CHECK (incoming_tls IN ('none', 'starttls', 'implicit')),
    outgoing_host text,
    outgoing_port integer CHECK (outgoing_port BETWEEN 1 AND 65535),
    outgoing_tls text NOT NULL DEFAULT 'starttls' CHECK (outgoing_tls IN ('none', 'starttls', 'implicit')),
    act_url text,
    credential_source text NOT NULL DEFAULT 'mailbox' CHECK (credential_source IN ('profile', 'mailbox')),
    incoming_username text,
    incoming_password_encrypted text,
    outgoing_username text,
    outgoing_password_encrypted text,
    use_same_settings_for_outgoing boolean NOT NULL DEFAULT true,
    tls_verify_certificates boolean NOT NULL DEFAULT true,
    process_email_received_after timestamptz,
    min_polling_interval_minutes integer NOT NULL DEFAULT 0 CHECK (min_polling_interval_minutes BETWEEN 0 AND 1440),
    max_concurrent_connections integer NOT NULL DEFAULT 10 CHECK (max_concurrent_connections BETWEEN 1 AND 300),
    connection_timeout_ms integer NOT NULL DEFAULT 30000 CHECK (connection_timeout_ms BETWEEN 1000 AND 100000),
    move_failed_items_folder text,
    state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'inactive')),
    last_test_started_at timestamptz,
    last_test_status text CHECK (last_test_status IN ('success', 'failure', 'warning')),
    last_test_message text,
    ${OWNER},
    ${TIMESTAMPS}
  )`,
  `ALTER TABLE organization ADD CONSTRAINT organization_default_profile
    FOREIGN KEY (default_email_server_profile_id) REFERENCES email_server_profiles(id) ON DELETE SET NULL`,

  `CREATE TABLE queues (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    email_address text,
    queue_view_type text NOT NULL DEFAULT 'public' CHECK (queue_view_type IN ('public', 'private')),
    incoming_email_filter text NOT NULL DEFAULT 'all' CHECK (incoming_email_filter IN
      ('all', 'responsesToTrackedEmail', 'fromLeadsContactsAccounts', 'fromEmailEnabledRecords', 'none')),
    ${OWNER},
    ${TIMESTAMPS}
  )`,
  `CREATE INDEX queues_email ON queues (lower(email_address))`,

  `CREATE TABLE mailboxes (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    email_address text,
    regarding_type text CHECK (regarding_type IN ('user', 'queue')),
    regarding_id uuid,
    is_forward_mailbox boolean NOT NULL DEFAULT false,
    email_server_profile_id uuid REFERENCES email_server_profiles(id) ON DELETE SET NULL,
    incoming_method text NOT NULL DEFAULT 'serverSideSync' CHECK (incoming_method IN ('none', 'serverSideSync', 'forwardMailbox')),
    outgoing_method text NOT NULL DEFAULT 'serverSideSync' CHECK (outgoing_method IN ('none', 'serverSideSync')),
    act_method text NOT NULL DEFAULT 'none' CHECK (act_method IN ('none', 'serverSideSync')),
    incoming_enabled boolean NOT NULL DEFAULT true,
    outgoing_enabled boolean NOT NULL DEFAULT true,
    act_enabled boolean NOT NULL DEFAULT true,
    incoming_status text NOT NULL DEFAULT 'notRun' CHECK (incoming_status IN ('notRun', 'success', 'failure')),
    outgoing_status text NOT NULL DEFAULT 'notRun' CHECK (outgoing_status IN ('notRun', 'success', 'failure')),
    act_status text NOT NULL DEFAULT 'notRun' CHECK (act_status IN ('notRun', 'success', 'failure')),
    approval_status text NOT NULL DEFAULT 'pendingApproval' CHECK (approval_status IN ('empty', 'approved', 'pendingApproval', 'rejected')),
    approved_by uuid REFERENCES users(id) ON DELETE SET NULL,
    approved_at timestamptz,
    state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'inactive')),
    delete_emails_after_processing boolean NOT NULL DEFAULT false,
    process_email_received_after timestamptz,
    allow_credentials_use boolean NOT NULL DEFAULT false,
    username text,
    password_encrypted text,
    test_scheduled boolean NOT NULL DEFAULT false,
    test_completed_at timestamptz,
    last_sync_started_at timestamptz,
    last_successful_sync_at timestamptz,
    last_sync_error_code text,
    last_sync_error_count integer NOT NULL DEFAULT 0,
    ${OWNER},
    ${TIMESTAMPS}
  )`,
  `CREATE UNIQUE INDEX mailboxes_regarding ON mailboxes (regarding_type, regarding_id) WHERE regarding_id IS NOT NULL`,
  `CREATE INDEX mailboxes_profile ON mailboxes (email_server_profile_id)`,
  `CREATE INDEX mailboxes_owner ON mailboxes (owner_id)`,

  `CREATE TABLE alerts (
    id uuid PRIMARY KEY,
    level text NOT NULL CHECK (level IN ('error', 'warning', 'information')),
    code text NOT NULL,
    channel text CHECK (channel IN ('incoming', 'outgoing', 'act', 'profile', 'approval')),
    message text NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    diagnosis jsonb,
    fix_actions jsonb NOT NULL DEFAULT '[]'::jsonb,
    mailbox_id uuid REFERENCES mailboxes(id) ON DELETE CASCADE,
    email_server_profile_id uuid REFERENCES email_server_profiles(id) ON DELETE CASCADE,
    item_reference text,
    fingerprint text NOT NULL,
    occurrence_count integer NOT NULL DEFAULT 1,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    ${OWNER},
    ${TIMESTAMPS}
  )`,
  `CREATE UNIQUE INDEX alerts_open_fingerprint ON alerts (fingerprint) WHERE resolved_at IS NULL`,
  `CREATE INDEX alerts_mailbox ON alerts (mailbox_id, last_seen_at DESC)`,

  `CREATE TABLE accounts (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    email_address1 text,
    email_address2 text,
    email_address3 text,
    telephone text,
    website text,
    state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'inactive')),
    ${OWNER},
    ${TIMESTAMPS}
  )`,
  `CREATE TABLE contacts (
    id uuid PRIMARY KEY,
    first_name text,
    last_name text NOT NULL,
    full_name text NOT NULL,
    email_address1 text,
    email_address2 text,
    email_address3 text,
    telephone text,
    mobile_phone text,
    job_title text,
    parent_account_id uuid REFERENCES accounts(id) ON DELETE SET NULL,
    state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'inactive')),
    ${OWNER},
    ${TIMESTAMPS}
  )`,
  `CREATE TABLE leads (
    id uuid PRIMARY KEY,
    first_name text,
    last_name text NOT NULL,
    full_name text NOT NULL,
    company_name text,
    email_address1 text,
    email_address2 text,
    email_address3 text,
    telephone text,
    state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'qualified', 'disqualified')),
    ${OWNER},
    ${TIMESTAMPS}
  )`,
  ...['accounts', 'contacts', 'leads'].flatMap((table) =>
    [1, 2, 3].map(
      (n) =>
        `CREATE INDEX ${table}_email${n} ON ${table} (lower(email_address${n})) WHERE email_address${n} IS NOT NULL`,
    ),
  ),

  `CREATE TABLE activities (
    id uuid PRIMARY KEY,
    activity_type text NOT NULL CHECK (activity_type IN ('email', 'appointment', 'task')),
    subject text NOT NULL DEFAULT '',
    description text,
    state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'completed', 'canceled', 'scheduled')),
    status text NOT NULL,
    regarding_type text CHECK (regarding_type IN ('account', 'contact', 'lead', 'queue', 'user')),
    regarding_id uuid,
    scheduled_start timestamptz,
    scheduled_end timestamptz,
    actual_end timestamptz,
    priority text CHECK (priority IN ('low', 'normal', 'high')),
    direction text CHECK (direction IN ('incoming', 'outgoing')),
    message_id text,
    in_reply_to text,
    message_references text[] NOT NULL DEFAULT '{}',
    conversation_index text,
    tracking_token text,
    body_text text,
    body_html text,
    sender text,
    sender_mailbox_id uuid REFERENCES mailboxes(id) ON DELETE SET NULL,
    receiving_mailbox_id uuid REFERENCES mailboxes(id) ON DELETE SET NULL,
    correlation_method text CHECK (correlation_method IN
      ('none', 'skipped', 'inReplyTo', 'trackingToken', 'conversationIndex', 'smartMatching')),
    correlated_activity_id uuid REFERENCES activities(id) ON DELETE SET NULL,
    parent_activity_id uuid REFERENCES activities(id) ON DELETE SET NULL,
    sent_at timestamptz,
    received_at timestamptz,
    location text,
    is_all_day boolean NOT NULL DEFAULT false,
    recurrence_rule text,
    ical_uid text,
    percent_complete integer CHECK (percent_complete BETWEEN 0 AND 100),
    ${OWNER},
    ${TIMESTAMPS}
  )`,
  `CREATE INDEX activities_type_created ON activities (activity_type, created_at DESC)`,
  `CREATE INDEX activities_message_id ON activities (message_id) WHERE message_id IS NOT NULL`,
  `CREATE INDEX activities_tracking_token ON activities (tracking_token) WHERE tracking_token IS NOT NULL`,
  `CREATE INDEX activities_regarding ON activities (regarding_type, regarding_id) WHERE regarding_id IS NOT NULL`,

  `CREATE TABLE activity_parties (
    id uuid PRIMARY KEY,
    activity_id uuid NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    participation text NOT NULL CHECK (participation IN
      ('from', 'to', 'cc', 'bcc', 'organizer', 'requiredAttendee', 'optionalAttendee', 'owner')),
    address text,
    display_name text,
    party_type text CHECK (party_type IN ('user', 'contact', 'account', 'lead', 'queue')),
    party_id uuid,
    position integer NOT NULL DEFAULT 0
  )`,
  `CREATE INDEX activity_parties_activity ON activity_parties (activity_id, position)`,
  `CREATE INDEX activity_parties_party ON activity_parties (party_type, party_id) WHERE party_id IS NOT NULL`,

  `CREATE TABLE attachments (
    id uuid PRIMARY KEY,
    activity_id uuid NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    file_name text NOT NULL,
    mime_type text NOT NULL DEFAULT 'application/octet-stream',
    size_bytes integer NOT NULL CHECK (size_bytes >= 0),
    content_id text,
    is_inline boolean NOT NULL DEFAULT false,
    content bytea,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX attachments_activity ON attachments (activity_id)`,

  `CREATE TABLE queue_items (
    id uuid PRIMARY KEY,
    queue_id uuid NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    activity_id uuid NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    worker_id uuid REFERENCES users(id) ON DELETE SET NULL,
    entered_at timestamptz NOT NULL DEFAULT now(),
    state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'inactive')),
    ${OWNER},
    ${TIMESTAMPS},
    UNIQUE (queue_id, activity_id)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}
