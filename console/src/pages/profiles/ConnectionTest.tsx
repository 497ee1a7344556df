/**
 * Test Connection on a profile: with the profile's own credentials, or with a
 * user name and password typed for this test only (profiles that take
 * credentials from each mailbox have none of their own).
 */
import { useState } from 'react';
import { api } from '../../api/client';
import type { ConnectionTestResult } from '../../api/types';
import { Badge } from '../../components/Badges';
import { Dialog } from '../../components/Dialog';
import { TextField } from '../../components/fields';
import { CHANNEL } from '../../labels';

export function ConnectionTestButton({
  profileId,
  busy,
  run,
  onResults,
}: {
  profileId: string;
  busy: boolean;
  /** runs the test as the page's action, so its errors show where the page's do */
  run: (work: () => Promise<string>) => void;
  onResults: (results: ConnectionTestResult[]) => void;
}) {
  const [open, setOpen] = useState(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');

  const test = () => {
    setOpen(false);
    run(async () => {
      const body = username && password ? { username, password } : {};
      const answer = await api<{ results: ConnectionTestResult[] }>(
        'POST',
        `/api/email-server-profiles/${profileId}/test-connection`,
        body,
      );
      setPassword('');
      onResults(answer.results);
      return 'Connection test finished.';
    });
  };

  return (
    <>
      <button type="button" onClick={() => setOpen(true)} disabled={busy}>
        Test Connection
      </button>
      <Dialog
        title="Test Connection"
        open={open}
        onClose={() => setOpen(false)}
        actions={
          <>
            <button type="button" className="primary" onClick={test}>
              Test
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </>
        }
      >
        <p>Leave both empty to use the credentials stored in the profile.</p>
        <TextField
          label="User name for this test"
          value={username}
          onChange={setUsername}
          autoComplete="off"
        />
        <TextField
          label="Password for this test"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="off"
        />
      </Dialog>
    </>
  );
}

export function ConnectionResults({ results }: { results: readonly ConnectionTestResult[] }) {
  return (
    <section className="form-section" aria-labelledby="connection-results">
      <h2 id="connection-results">Connection Test Results</h2>
      <ul className="connection-results">
        {results.map((result) => (
          <li key={result.workload}>
            <strong>{CHANNEL[result.workload]}:</strong>{' '}
            <Badge
              tone={result.status === 'success' ? 'good' : result.status === 'failure' ? 'bad' : 'neutral'}
            >
              {result.status === 'success' ? 'Success' : result.status === 'failure' ? 'Failure' : 'Skipped'}
            </Badge>{' '}
            {result.code && <code>{result.code}</code>} {result.detail}
          </li>
        ))}
      </ul>
    </section>
  );
}
