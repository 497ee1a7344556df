/**
 * A user's console password: whether one is set, and a form to set it (your
 * own needs the current one once you have one; the server checks the rules).
 */
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import { FormSection, TextField } from '../../components/fields';
import { Notice } from '../../components/Notice';
import { Time } from '../../components/Time';

export function PasswordSection({ userId, isSelf }: { userId: string; isSelf: boolean }) {
  const state = useLoad(userId, () =>
    api<{ set: boolean; changedAt: string | null }>('GET', `/api/users/${userId}/password`),
  );
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [current, setCurrent] = useState('');
  const action = useAction();
  const needsCurrent = isSelf && state.data?.set === true;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action
      .run(async () => {
        if (password !== confirm) throw new Error('The two new passwords differ.');
        await api('PUT', `/api/users/${userId}/password`, {
          password,
          ...(needsCurrent ? { currentPassword: current } : {}),
        });
        setPassword('');
        setConfirm('');
        setCurrent('');
        return isSelf
          ? 'Your password is changed; your other sessions have ended.'
          : 'The password is set; the user’s sessions have ended.';
      })
      .then(state.reload);
  };

  return (
    <FormSection title="Console Password">
      <p className="form-wide">
        {state.data?.set ? (
          <>
            A password is set (changed <Time value={state.data.changedAt} />
            ).
          </>
        ) : (
          'No password is set: this user can sign in to the console only with an API token.'
        )}
      </p>
      <form className="form-wide password-form" onSubmit={submit} aria-label="Set password">
        {needsCurrent && (
          <TextField
            label="Current password"
            type="password"
            value={current}
            onChange={setCurrent}
            autoComplete="current-password"
            required
          />
        )}
        <TextField
          label="New password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          hint="At least 10 characters."
          required
        />
        <TextField
          label="Confirm new password"
          type="password"
          value={confirm}
          onChange={setConfirm}
          autoComplete="new-password"
          required
        />
        <button type="submit" disabled={action.busy}>
          Set Password
        </button>
        <Notice outcome={action.outcome} onDismiss={action.clear} />
      </form>
    </FormSection>
  );
}
