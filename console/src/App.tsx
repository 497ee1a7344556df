/**
 * The console: the sign-in page until a session exists, then the shell with
 * one route per page of the site map. Routes are real URLs (the server answers
 * any of them with the app), so pages can be bookmarked and linked.
 */
import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { Loading } from './components/Notice';
import { DirectoryProvider } from './directory/DirectoryContext';
import { Shell } from './layout/Shell';
import { AccountPage } from './pages/account/AccountPage';
import { EmailPage } from './pages/activities/EmailPage';
import { EmailsPage } from './pages/activities/EmailsPage';
import { QueueItemsPage } from './pages/activities/QueueItemsPage';
import { AlertsPage } from './pages/alerts/AlertsPage';
import { MailboxesPage } from './pages/mailboxes/MailboxesPage';
import { MailboxPage } from './pages/mailboxes/MailboxPage';
import { ProfilePage } from './pages/profiles/ProfilePage';
import { ProfilesPage } from './pages/profiles/ProfilesPage';
import { QueuePage } from './pages/queues/QueuePage';
import { QueuesPage } from './pages/queues/QueuesPage';
import { RolePage } from './pages/security/RolePage';
import { RolesPage } from './pages/security/RolesPage';
import { TeamPage } from './pages/security/TeamPage';
import { TeamsPage } from './pages/security/TeamsPage';
import { UserPage } from './pages/security/UserPage';
import { UsersPage } from './pages/security/UsersPage';
import { EmailSettingsPage } from './pages/settings/EmailSettingsPage';
import { SessionProvider, useSession } from './session/SessionContext';
import { SignInPage } from './session/SignInPage';

// The charting library is most of the bundle: it loads with the dashboard, not before sign-in.
const DashboardPage = lazy(() =>
  import('./pages/dashboard/DashboardPage').then((m) => ({ default: m.DashboardPage })),
);

function SignedInRoutes() {
  return (
    <DirectoryProvider>
      <Routes>
        <Route element={<Shell />}>
          <Route
            index
            element={
              <Suspense fallback={<Loading what="the dashboard" />}>
                <DashboardPage />
              </Suspense>
            }
          />
          <Route path="mailboxes" element={<MailboxesPage />} />
          <Route path="mailboxes/:id" element={<MailboxPage />} />
          <Route path="email-server-profiles" element={<ProfilesPage />} />
          <Route path="email-server-profiles/:id" element={<ProfilePage />} />
          <Route path="settings/email" element={<EmailSettingsPage />} />
          <Route path="alerts" element={<AlertsPage />} />
          <Route path="security/users" element={<UsersPage />} />
          <Route path="security/users/:id" element={<UserPage />} />
          <Route path="security/teams" element={<TeamsPage />} />
          <Route path="security/teams/:id" element={<TeamPage />} />
          <Route path="security/roles" element={<RolesPage />} />
          <Route path="security/roles/:id" element={<RolePage />} />
          <Route path="queues" element={<QueuesPage />} />
          <Route path="queues/:id" element={<QueuePage />} />
          <Route path="activities/emails" element={<EmailsPage />} />
          <Route path="activities/emails/:id" element={<EmailPage />} />
          <Route path="activities/queue-items" element={<QueueItemsPage />} />
          <Route path="account" element={<AccountPage />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </DirectoryProvider>
  );
}

function Gate() {
  const { session } = useSession();
  if (session === undefined) return <Loading what="Mailroom" />;
  return session ? <SignedInRoutes /> : <SignInPage />;
}

export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <Gate />
      </SessionProvider>
    </BrowserRouter>
  );
}
