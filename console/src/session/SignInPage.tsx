/**
 * Sign in with a user name and password, or with an API token (the first
 * administrator has only the token printed at the first start, and can set a
 * password under My Account afterwards).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useAction } from '../api/hooks';
import { Notice } from '../components/Notice';
import { TextField } from '../components/fields';
import { useSession } from './SessionContext';

type Method = 'password' | 'token';

export function SignInPage() {
  const { signIn } = useSession();
  const [method, setMethod] = useState<Method>('password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const action = useAction();

  useEffect(() => {
    document.title = 'Sign in · Mailroom';
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(() => signIn(method === 'password' ? { username, password } : { token }));
  };

  return (
    <main className="sign-in" id="main">
      <form className="sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <p className="brand-large">Mailroom</p>
        <h1 id="sign-in-title">Sign in</h1>
        <fieldset className="segmented">
          <legend className="visually-hidden">Sign in with</legend>
          <label>
            <input
              type="radio"
              name="method"
              checked={method === 'password'}
              onChange={() => setMethod('password')}
            />
            User name and password
          </label>
          <label>
            <input
              type="radio"
              name="method"
              checked={method === 'token'}
              onChange={() => setMethod('token')}
            />
            API token
          </label>
        </fieldset>
        {method === 'password' ? (
          <>
            <TextField
              label="User name"
              value={username}
              onChange={setUsername}
              autoComplete="username"
              required
            />
            <TextField
              label="Password"
              type="password"
              value={password}
              onChange={setPassword}
              autoComplete="current-password"
              required
            />
          </>
        ) : (
          <TextField
            label="Token"
            type="password"
            value={token}
            onChange={setToken}
            autoComplete="off"
            hint="The administrator token printed at the first start, or one from mailroom token create."
            required
          />
        )}
        <Notice outcome={action.outcome} />
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
