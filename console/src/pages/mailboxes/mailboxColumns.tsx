import { Link } from 'react-router';
import type { Mailbox } from '../../api/types';
import { ApprovalBadge, ChannelStatusBadge } from '../../components/Badges';
import type { Column } from '../../components/DataGrid';
import { RecordLink } from '../../components/RecordLink';
import { Time } from '../../components/Time';

/** The columns of the Mailboxes grid: owner, regarding, profile, the three channel statuses, last sync. */
export function mailboxColumns(
  nameOf: (type: 'user' | 'team' | 'queue' | 'emailServerProfile', id: string | null) => string | undefined,
): Column<Mailbox>[] {
  return [
    {
      key: 'name',
      header: 'Name',
      render: (m) => <Link to={`/mailboxes/${m.id}`}>{m.name}</Link>,
      sortValue: (m) => m.name,
    },
    {
      key: 'email',
      header: 'Email Address',
      render: (m) => m.emailAddress ?? '—',
      sortValue: (m) => m.emailAddress ?? '',
    },
    {
      key: 'owner',
      header: 'Owner',
      render: (m) => <RecordLink type={m.ownerType} id={m.ownerId} />,
      sortValue: (m) => nameOf(m.ownerType, m.ownerId) ?? '',
    },
    {
      key: 'regarding',
      header: 'Regarding',
      render: (m) => (m.regardingType ? <RecordLink type={m.regardingType} id={m.regardingId} /> : '—'),
      sortValue: (m) => (m.regardingType ? (nameOf(m.regardingType, m.regardingId) ?? '') : ''),
    },
    {
      key: 'profile',
      header: 'Email Server Profile',
      render: (m) => <RecordLink type="emailServerProfile" id={m.emailServerProfileId} />,
      sortValue: (m) => nameOf('emailServerProfile', m.emailServerProfileId) ?? '',
    },
    {
      key: 'incoming',
      header: 'Incoming Email Status',
      render: (m) => <ChannelStatusBadge status={m.incomingStatus} />,
      sortValue: (m) => m.incomingStatus,
    },
    {
      key: 'outgoing',
      header: 'Outgoing Email Status',
      render: (m) => <ChannelStatusBadge status={m.outgoingStatus} />,
      sortValue: (m) => m.outgoingStatus,
    },
    {
      key: 'act',
      header: 'Appointments, Contacts, and Tasks Status',
      render: (m) => <ChannelStatusBadge status={m.actStatus} />,
      sortValue: (m) => m.actStatus,
    },
    {
      key: 'approval',
      header: 'Email Address Status',
      render: (m) => <ApprovalBadge status={m.approvalStatus} />,
      sortValue: (m) => m.approvalStatus,
    },
    {
      key: 'lastSync',
      header: 'Last Successful Sync',
      render: (m) => <Time value={m.lastSuccessfulSyncAt} empty="Never" />,
      sortValue: (m) => m.lastSuccessfulSyncAt ?? '',
    },
  ];
}
