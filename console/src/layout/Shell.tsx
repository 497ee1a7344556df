/**
 * The frame around every page: the top bar (product, menu, signed-in user,
 * sign out), the site map, and the page. On a phone the site map folds away
 * behind the Menu button.
 */
import { useEffect, useRef, useState } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { useSession, useSignedInUser } from '../session/SessionContext';
import { SiteMap } from './SiteMap';

export function Shell() {
  const user = useSignedInUser();
  const { signOut } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();

  // After navigating, reading starts at the new page, as it would after a full page load (but a page just
  // loaded keeps the browser's own starting point, so the first Tab still reaches "Skip to content").
  const shownPath = useRef(pathname);
  useEffect(() => {
    if (shownPath.current === pathname) return;
    shownPath.current = pathname;
    main.current?.focus();
  }, [pathname]);

  return (
    <div className={`shell${menuOpen ? ' menu-open' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="site-map"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <Link to="/" className="brand">
          Mailroom
        </Link>
        <div className="top-bar-user">
          <Link to="/account" title="My account">
            {user.name}
          </Link>
          <button type="button" className="top-bar-button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <div className="body">
        <div id="site-map" className="site-map-panel">
          <SiteMap onNavigate={() => setMenuOpen(false)} />
        </div>
        <main id="main" ref={main} tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
