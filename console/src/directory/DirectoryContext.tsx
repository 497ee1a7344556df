/**
 * Names of the records other records point to (owners, regarding records,
 * profiles, roles), loaded once after sign-in and again when a page changes
 * one of them, so that grids and forms can show "Support Team" instead of an
 * id and link to it.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { useLocation } from 'react-router';
import { api, listAll } from '../api/client';
import type { BusinessUnit, EmailServerProfile, Mailbox, Queue, Role, Team, User } from '../api/types';

export interface Directory {
  readonly users: readonly User[];
  readonly teams: readonly Team[];
  readonly queues: readonly Queue[];
  readonly profiles: readonly EmailServerProfile[];
  readonly roles: readonly Role[];
  readonly businessUnits: readonly BusinessUnit[];
  readonly mailboxes: readonly Mailbox[];
}

export type RecordType =
  'user' | 'team' | 'queue' | 'emailServerProfile' | 'role' | 'businessUnit' | 'mailbox';

interface DirectoryState {
  readonly directory: Directory;
  readonly loaded: boolean;
  /** the record's name, or undefined when it is not (yet) known or not readable */
  nameOf(type: RecordType, id: string | null | undefined): string | undefined;
  /** asks for the name of a record the directory does not know yet (created since it loaded) */
  lookUp(type: RecordType, id: string): void;
  refresh(): void;
}

const API_PATH: Readonly<Record<RecordType, string>> = {
  user: 'users',
  team: 'teams',
  queue: 'queues',
  emailServerProfile: 'email-server-profiles',
  role: 'roles',
  businessUnit: 'business-units',
  mailbox: 'mailboxes',
};

const EMPTY: Directory = {
  users: [],
  teams: [],
  queues: [],
  profiles: [],
  roles: [],
  businessUnits: [],
  mailboxes: [],
};

/** A list the caller may not read (403) is shown as empty rather than failing every page. */
async function readable<T>(path: string): Promise<T[]> {
  try {
    return (await listAll<T>(path)).items;
  } catch {
    return [];
  }
}

async function loadDirectory(): Promise<Directory> {
  const [users, teams, queues, profiles, roles, businessUnits, mailboxes] = await Promise.all([
    readable<User>('/api/users'),
    readable<Team>('/api/teams'),
    readable<Queue>('/api/queues'),
    readable<EmailServerProfile>('/api/email-server-profiles'),
    readable<Role>('/api/roles'),
    readable<BusinessUnit>('/api/business-units'),
    readable<Mailbox>('/api/mailboxes'),
  ]);
  return { users, teams, queues, profiles, roles, businessUnits, mailboxes };
}

const DirectoryContext = createContext<DirectoryState | undefined>(undefined);

export function DirectoryProvider({ children }: { children: ReactNode }) {
  const [directory, setDirectory] = useState<Directory>(EMPTY);
  const [loaded, setLoaded] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [found, setFound] = useState<ReadonlyMap<string, string>>(new Map());
  const asked = useRef(new Set<string>());
  const { pathname } = useLocation();

  useEffect(() => {
    let current = true;
    void loadDirectory().then((next) => {
      if (!current) return;
      asked.current.clear();
      setDirectory(next);
      setLoaded(true);
    });
    return () => {
      current = false;
    };
  }, [generation]);

  // Others change records too, and pages create them: every page opened sees a fresh directory.
  const firstPath = useRef(true);
  useEffect(() => {
    if (firstPath.current) firstPath.current = false;
    else setGeneration((g) => g + 1);
  }, [pathname]);

  const names = useMemo(() => {
    const map = new Map<string, string>();
    const add = (type: RecordType, records: readonly { id: string; name: string }[]) => {
      for (const record of records) map.set(`${type}:${record.id}`, record.name);
    };
    add('user', directory.users);
    add('team', directory.teams);
    add('queue', directory.queues);
    add('emailServerProfile', directory.profiles);
    add('role', directory.roles);
    add('businessUnit', directory.businessUnits);
    add('mailbox', directory.mailboxes);
    for (const [key, name] of found) if (!map.has(key)) map.set(key, name);
    return map;
  }, [directory, found]);

  const nameOf = useCallback(
    (type: RecordType, id: string | null | undefined) => (id ? names.get(`${type}:${id}`) : undefined),
    [names],
  );
  const lookUp = useCallback(
    (type: RecordType, id: string) => {
      const key = `${type}:${id}`;
      if (!loaded || names.has(key) || asked.current.has(key)) return;
      asked.current.add(key);
      api<{ name: string }>('GET', `/api/${API_PATH[type]}/${id}`)
        .then((record) => setFound((current) => new Map(current).set(key, record.name)))
        .catch(() => undefined);
    },
    [loaded, names],
  );
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  const value = useMemo(
    () => ({ directory, loaded, nameOf, lookUp, refresh }),
    [directory, loaded, nameOf, lookUp, refresh],
  );
  return <DirectoryContext.Provider value={value}>{children}</DirectoryContext.Provider>;
}

export function useDirectory(): DirectoryState {
  const state = useContext(DirectoryContext);
  if (!state) throw new Error('useDirectory needs a DirectoryProvider');
  return state;
}
