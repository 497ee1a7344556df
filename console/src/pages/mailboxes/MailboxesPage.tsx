/**
 * Settings › Email Configuration › Mailboxes: the grid with its system views
 * and the commands that act on the selected mailboxes (Test & Enable, Approve
 * Email), with progress for the long ones.
 */
import { useCallback, useMemo, useState } from 'react';
import { useAction, useLoad } from '../../api/hooks';
import { CommandBar } from '../../components/CommandBar';
import { DataGrid } from '../../components/DataGrid';
import { LoadError, Loading, Notice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { ProgressBar } from '../../components/ProgressBar';
import { SearchBox } from '../../components/SearchBox';
import { Truncated } from '../../components/Truncated';
import { useView, ViewPicker } from '../../components/ViewPicker';
import { useDirectory } from '../../directory/DirectoryContext';
import { CHANNEL_STATUS } from '../../labels';
import { approveMany, testAndEnableMany, type Progress } from './bulk';
import { mailboxColumns } from './mailboxColumns';
import { loadMailboxView, MAILBOX_VIEWS } from './views';

export function MailboxesPage() {
  const [view, setView] = useView(MAILBOX_VIEWS, 'active');
  const [search, setSearch] = useState('');
  const listing = useLoad(`${view}|${search}`, () => loadMailboxView(view, search));
  const { nameOf } = useDirectory();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [progress, setProgress] = useState<Progress & { label: string }>();
  const action = useAction();
  const columns = useMemo(() => mailboxColumns(nameOf), [nameOf]);
  const onSearch = useCallback((text: string) => setSearch(text), []);

  const ids = [...selected].filter((id) => listing.data?.items.some((m) => m.id === id));
  const finish = () => {
    setProgress(undefined);
    setSelected(new Set());
    listing.reload();
  };

  const testSelected = () =>
    void action
      .run(async () => {
        const results = await testAndEnableMany(ids, (p) =>
          setProgress({ ...p, label: 'Testing mailboxes' }),
        );
        const failed = results.filter((m) =>
          [m.incomingStatus, m.outgoingStatus, m.actStatus].includes('failure'),
        ).length;
        return `Test & Enable finished for ${results.length} of ${ids.length} mailboxes: ${results.length - failed} without a ${CHANNEL_STATUS.failure.toLowerCase()}, ${failed} with one.`;
      })
      .finally(finish);

  const approveSelected = () =>
    void action
      .run(async () => {
        const outcome = await approveMany(ids, (p) =>
          setProgress({ ...p, label: 'Approving email addresses' }),
        );
        if (outcome.refused.length > 0)
          throw new Error(`Approved ${outcome.approved}; refused: ${outcome.refused.join('; ')}`);
        return `Approved the email address of ${outcome.approved} mailboxes.`;
      })
      .finally(finish);

  return (
    <>
      <PageHeader trail={['Settings', 'Email Configuration']} title="Mailboxes" />
      <div className="grid-toolbar">
        <ViewPicker id="mailbox-view" views={MAILBOX_VIEWS} value={view} onChange={setView} />
        <SearchBox label="Search mailboxes" onSearch={onSearch} />
      </div>
      <CommandBar label="Mailbox commands">
        <button type="button" disabled={ids.length === 0 || action.busy} onClick={testSelected}>
          Test &amp; Enable Mailboxes
        </button>
        <button type="button" disabled={ids.length === 0 || action.busy} onClick={approveSelected}>
          Approve Email
        </button>
        <button type="button" onClick={listing.reload} disabled={action.busy}>
          Refresh
        </button>
      </CommandBar>
      {progress && <ProgressBar label={progress.label} done={progress.done} total={progress.total} />}
      <Notice outcome={action.outcome} onDismiss={action.clear} />
      {listing.error && <LoadError error={listing.error} onRetry={listing.reload} />}
      {listing.loading && !listing.data ? (
        <Loading what="mailboxes" />
      ) : (
        listing.data && (
          <>
            <DataGrid
              caption={MAILBOX_VIEWS.find((v) => v.key === view)?.label ?? 'Mailboxes'}
              columns={columns}
              rows={listing.data.items}
              empty="No mailboxes in this view."
              selected={selected}
              onSelectedChange={setSelected}
              rowLabel={(m) => m.name}
            />
            <Truncated shown={listing.data.items.length} truncated={listing.data.truncated} />
          </>
        )
      )}
    </>
  );
}
