/**
 * Who is signed in. On start the app asks GET /api/session (the HTTP-only
 * cookie is sent by the browser); the answer carries the CSRF token that every
 * change must send. A 401 from any call means the session has ended.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, setCsrfToken, whenSignedOut } from '../api/client';
import type { Session } from '../api/types';

export type Credentials = { username: string; password: string } | { token: string };

interface SessionState {
  /** undefined while the app asks whether a session exists */
  readonly session: Session | null | undefined;
  signIn(credentials: Credentials): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>();

  const adopt = useCallback((next: Session | null) => {
    setCsrfToken(next?.csrfToken);
    setSession(next);
  }, []);

  useEffect(() => {
    whenSignedOut(() => adopt(null));
    api<Session>('GET', '/api/session')
      .then(adopt)
      // No session (401) or no answer: either way the sign-in page is what to show.
      .catch(() => adopt(null));
  }, [adopt]);

  const signIn = useCallback(
    async (credentials: Credentials) => adopt(await api<Session>('POST', '/api/session', credentials)),
    [adopt],
  );
  const signOut = useCallback(async () => {
    try {
      await api('DELETE', '/api/session');
    } finally {
      adopt(null);
    }
  }, [adopt]);

  const value = useMemo(() => ({ session, signIn, signOut }), [session, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession needs a SessionProvider');
  return state;
}

/** The signed-in user; only used below the part of the app that requires a session. */
export function useSignedInUser(): Session['user'] {
  const { session } = useSession();
  if (!session) throw new Error('useSignedInUser needs a signed-in session');
  return session.user;
}
