import { lazy, Suspense } from 'react';
import { SessionGate, useSession } from './session.js';
import { SECTIONS, routeHref, useRoute, type SectionId } from './routes.js';
import { DashboardView } from './views/dashboard/DashboardView.js';
import { LookupView } from './views/lookup/LookupView.js';
import { CommandPalette } from './views/workbench/CommandPalette.js';
import { ThemeSwitch } from './views/ThemeSwitch.js';
import { FirstStart } from './views/FirstStart.js';
import { ConnectionBanner, ConnectionBar } from './views/connection/ConnectionBar.js';
import './views/frame.css';
import './views/session/sign-in.css';

// The opening screen (Dashboard) and Lookup come with the first script; every other section is a
// chunk of its own, fetched the first time it is opened, so the window opens on less code.
const DulView = lazy(() => import('./views/dul/DulView.js').then((module) => ({ default: module.DulView })));
const PublishView = lazy(() => import('./views/PublishView.js').then((module) => ({ default: module.PublishView })));
const QilView = lazy(() => import('./views/QilView.js').then((module) => ({ default: module.QilView })));
const DelistingView = lazy(() => import('./views/queues/DelistingView.js').then((module) => ({ default: module.DelistingView })));
const NominationsView = lazy(() => import('./views/queues/NominationsView.js').then((module) => ({ default: module.NominationsView })));
const SettingsView = lazy(() => import('./views/SettingsView.js').then((module) => ({ default: module.SettingsView })));
const TeamView = lazy(() => import('./views/team/TeamView.js').then((module) => ({ default: module.TeamView })));
const ListingsView = lazy(() => import('./views/workbench/ListingsView.js').then((module) => ({ default: module.ListingsView })));
const NewListingView = lazy(() => import('./views/listing/NewListingView.js').then((module) => ({ default: module.NewListingView })));
const ImportListingsView = lazy(() => import('./views/listing/ImportListingsView.js').then((module) => ({ default: module.ImportListingsView })));
const RecordView = lazy(() => import('./views/workbench/RecordView.js').then((module) => ({ default: module.RecordView })));

function SignedIn() {
  const { state, signOut, signsIn } = useSession();
  if (state.kind === 'checking' || state.kind === 'signed-out') return <p className="signed-in" aria-live="polite">Connecting…</p>;
  if (state.kind === 'failed') {
    return (
      <p className="signed-in signed-in-failed" role="alert">
        {state.error.message}
      </p>
    );
  }
  const { actor, roles, session } = state.who;
  if (actor === null) return <p className="signed-in">No one signed in: read-only</p>;
  if (roles.length === 0) {
    return (
      <p className="signed-in">
        Running as <strong>{actor}</strong>, who is not on the team: read-only
      </p>
    );
  }
  return (
    <p className="signed-in">
      Signed in as <strong>{actor}</strong>
      {roles.length > 0 && <span className="roles"> · {roles.join(', ')}</span>}
      {/* The desktop app signs out in its connection bar; a browser on a team server here. */}
      {signsIn && session !== null && (
        <button type="button" className="secondary sign-out" onClick={() => void signOut()}>
          Sign out
        </button>
      )}
    </p>
  );
}

function Section({ section, argument }: { section: SectionId; argument: string | null }) {
  switch (section) {
    case 'dashboard':
      return <DashboardView routePeriod={argument} />;
    case 'lookup':
      return <LookupView routeIp={argument} />;
    case 'listings':
      return <ListingsView />;
    case 'record':
      return <RecordView key={argument ?? ''} idText={argument} />;
    case 'new-listing':
      return <NewListingView key={argument ?? ''} initialRange={argument} />;
    case 'import-listings':
      return <ImportListingsView />;
    case 'dul':
      return <DulView ispName={argument} />;
    case 'qil':
      return <QilView />;
    case 'nominations':
      return <NominationsView argument={argument} />;
    case 'delisting':
      return <DelistingView argument={argument} />;
    case 'publish':
      return <PublishView />;
    case 'team':
      return <TeamView />;
    case 'settings':
      return <SettingsView />;
    default: {
      const unreachable: never = section;
      return unreachable;
    }
  }
}

export function App() {
  return (
    <SessionGate>
      <Frame />
    </SessionGate>
  );
}

function Frame() {
  const route = useRoute();
  return (
    <div className="frame">
      <header className="frame-header">
        <a className="brand" href={routeHref('dashboard')}>
          RepDesk
        </a>
        <div className="frame-header-tools">
          <ThemeSwitch />
          <ConnectionBar />
          <SignedIn />
        </div>
      </header>
      <nav className="frame-navigation" aria-label="Sections">
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.id}>
              <a href={routeHref(section.id)} aria-current={section.id === route.section || (section.id === 'listings' && (route.section === 'record' || route.section === 'new-listing' || route.section === 'import-listings')) ? 'page' : undefined}>
                {section.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="frame-content">
        <ConnectionBanner />
        <FirstStart />
        <Suspense fallback={<p aria-live="polite">Loading…</p>}>
          <Section section={route.section} argument={route.argument} />
        </Suspense>
      </main>
      <CommandPalette />
    </div>
  );
}
