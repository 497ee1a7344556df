/**
 * The navigation, grouped as the reference system's site map: Settings ›
 * Email Configuration › Mailboxes, Settings › Security › Users, and so on.
 */
import { NavLink } from 'react-router';

interface Entry {
  readonly label: string;
  readonly to: string;
}
interface Group {
  readonly label: string;
  readonly entries: readonly Entry[];
}

export const SITE_MAP: readonly { area: string; groups: readonly Group[] }[] = [
  {
    area: 'Overview',
    groups: [{ label: 'Monitoring', entries: [{ label: 'Dashboard', to: '/' }] }],
  },
  {
    area: 'Activities',
    groups: [
      {
        label: 'Activities',
        entries: [
          { label: 'Emails', to: '/activities/emails' },
          { label: 'Queue Items', to: '/activities/queue-items' },
        ],
      },
    ],
  },
  {
    area: 'Settings',
    groups: [
      {
        label: 'Email Configuration',
        entries: [
          { label: 'Mailboxes', to: '/mailboxes' },
          { label: 'Email Server Profiles', to: '/email-server-profiles' },
          { label: 'Email Configuration Settings', to: '/settings/email' },
          { label: 'Alerts', to: '/alerts' },
        ],
      },
      {
        label: 'Security',
        entries: [
          { label: 'Users', to: '/security/users' },
          { label: 'Teams', to: '/security/teams' },
          { label: 'Security Roles', to: '/security/roles' },
        ],
      },
      { label: 'Business Management', entries: [{ label: 'Queues', to: '/queues' }] },
    ],
  },
];

export function SiteMap({ onNavigate }: { onNavigate: () => void }) {
  return (
    <nav className="site-map" aria-label="Site map">
      {SITE_MAP.map((area) => (
        <div key={area.area} className="site-map-area">
          <p className="site-map-area-label">{area.area}</p>
          {area.groups.map((group) => (
            <div key={group.label} className="site-map-group">
              {group.label !== area.area && <p className="site-map-group-label">{group.label}</p>}
              <ul>
                {group.entries.map((entry) => (
                  <li key={entry.to}>
                    <NavLink to={entry.to} end={entry.to === '/'} onClick={onNavigate}>
                      {entry.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      ))}
    </nav>
  );
}
