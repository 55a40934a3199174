/**
 * The opening screen: how big each list is, what moved, who holds what, and whether the last
 * publish went out. Every number links to the listings table with the matching filter
 * (`#/listings/<URLSearchParams>`); a click on a chart bar does the same for that list and day.
 * The chart period is part of the route (`#/dashboard/year`), so a view can be linked.
 */
import { lazy, Suspense, useState } from 'react';
import type { DashboardCountry, DashboardList, DashboardPeriod, DashboardPublishing, DashboardView as DashboardData, DashboardInvestigator, ListingsFilter } from '../../../../shared/dashboard.js';
import { DASHBOARD_PERIODS, groupDigits, listingsQuery } from '../../../../shared/dashboard.js';
import { LISTS, isOneOf, type ListName } from '../../../../shared/domain.js';
import { useApi } from '../../api.js';
import { formatCount, formatTime } from '../../format.js';
import { navigate, routeHref } from '../../routes.js';
import { useReloadable } from '../../useOperation.js';
import { useChanges } from '../../changes.js';
import { ErrorLine } from '../ErrorLine.js';
import { ListBadge } from '../ListBadge.js';
import { ActivityChart } from './ActivityChart.js';
import { QueuesPanel } from './QueuesPanel.js';
import './dashboard.css';

const PERIOD_LABELS: Record<DashboardPeriod, string> = { week: 'Week', month: 'Month', year: 'Year' };

/** The listings-table route for a filter. */
export function listingsHref(filter: ListingsFilter): string {
  return routeHref('listings', listingsQuery(filter));
}

/**
 * A number that opens the filtered listings table. Its accessible name is the number (the table's
 * row and column headers say what it counts); the title describes the filter. Names like "DUL 2"
 * would make every "DUL" link on the screen ambiguous beside the navigation's.
 */
function Count({ value, filter, label }: { value: number | string; filter: ListingsFilter; label: string }) {
  const text = typeof value === 'number' ? formatCount(value) : groupDigits(value);
  return (
    <a className="count-link" href={listingsHref(filter)} title={label}>
      {text}
    </a>
  );
}

function Change({ list, window: change, to, label }: { list: ListName; window: DashboardList['change']['day']; to: string; label: string }) {
  return (
    <span className="change">
      <a className="change-listed" href={listingsHref({ list, createdFrom: change.from, createdTo: to })} title={`${list} listed ${label}`}>
        +{formatCount(change.listed)}
      </a>{' '}
      <a
        className="change-delisted"
        href={listingsHref({ list, status: 'delisted', changedFrom: change.from, changedTo: to })}
        title={`${list} delisted ${label}`}
      >
        −{formatCount(change.delisted)}
      </a>
    </span>
  );
}

function ListsPanel({ lists, today }: { lists: readonly DashboardList[]; today: string }) {
  return (
    <section className="panel dashboard-lists" aria-labelledby="dashboard-lists-heading">
      <div className="panel-heading">
        <h2 id="dashboard-lists-heading">Lists</h2>
        <p className="panel-summary muted">Addresses covered count overlapping listings once; IPv6 is counted in /64s.</p>
      </div>
      <div className="table-scroll">
        <table className="dashboard-lists-table">
          <thead>
            <tr>
              <th scope="col">List</th>
              <th scope="col" className="number">Active</th>
              <th scope="col" className="number">IPv4 addresses</th>
              <th scope="col" className="number">IPv6 /64s</th>
              <th scope="col" className="number">Today</th>
              <th scope="col" className="number">7 days</th>
              <th scope="col" className="number">30 days</th>
            </tr>
          </thead>
          <tbody>
            {lists.map((entry) => (
              <tr key={entry.list} data-list={entry.list}>
                <th scope="row">
                  <ListBadge list={entry.list} />
                </th>
                <td className="number" data-figure="active">
                  <Count value={entry.active} filter={{ list: entry.list, status: 'active' }} label={`${entry.list} active`} />
                  {entry.lapsed > 0 && (
                    <span className="lapsed muted" title="Expiry passed: no longer published nor counted active, though still marked active">
                      {' '}
                      ({formatCount(entry.lapsed)} lapsed)
                    </span>
                  )}
                </td>
                <td className="number" data-figure="ipv4">
                  {groupDigits(entry.ipv4Addresses)}
                </td>
                <td className="number" data-figure="ipv6">
                  {groupDigits(entry.ipv6Slash64s)}
                </td>
                <td className="number" data-figure="day">
                  <Change list={entry.list} window={entry.change.day} to={today} label="today" />
                </td>
                <td className="number" data-figure="week">
                  <Change list={entry.list} window={entry.change.week} to={today} label="in 7 days" />
                </td>
                <td className="number" data-figure="month">
                  <Change list={entry.list} window={entry.change.month} to={today} label="in 30 days" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ActivityPanel({ data, period }: { data: DashboardData; period: DashboardPeriod }) {
  const [kind, setKind] = useState<'listed' | 'delisted'>('listed');
  const { series, today } = data;
  const values = kind === 'listed' ? series.listed : series.delisted;
  const first = series.days[0];
  const filterFor = (list: ListName | undefined, from: string, to: string): ListingsFilter =>
    kind === 'listed' ? { list, createdFrom: from, createdTo: to } : { list, status: 'delisted', changedFrom: from, changedTo: to };
  return (
    <section className="panel dashboard-activity" aria-labelledby="dashboard-activity-heading">
      <div className="panel-heading">
        <h2 id="dashboard-activity-heading">{kind === 'listed' ? 'Listings per day' : 'Delistings per day'}</h2>
        <div className="segmented" role="group" aria-label="Period">
          {DASHBOARD_PERIODS.map((option) => (
            <button key={option} type="button" aria-pressed={option === period} onClick={() => navigate('dashboard', option)}>
              {PERIOD_LABELS[option]}
            </button>
          ))}
        </div>
        <div className="segmented" role="group" aria-label="Count">
          <button type="button" aria-pressed={kind === 'listed'} onClick={() => setKind('listed')}>
            Listed
          </button>
          <button type="button" aria-pressed={kind === 'delisted'} onClick={() => setKind('delisted')}>
            Delisted
          </button>
        </div>
      </div>
      <ActivityChart
        days={series.days}
        values={values}
        what={kind === 'listed' ? 'Listings' : 'Delistings'}
        onPick={(list, day) => {
          window.location.hash = listingsHref(filterFor(list ?? undefined, day, day));
        }}
      />
      <p className="muted chart-hint">Click a bar to open that list's {kind === 'listed' ? 'listings' : 'delistings'} of the day.</p>
      <table className="period-totals" aria-label={`${kind === 'listed' ? 'Listed' : 'Delisted'} over the period, per list`}>
        <tbody>
          <tr>
            {LISTS.map((list) => (
              <td key={list} data-list={list}>
                <ListBadge list={list} />{' '}
                <Count
                  value={values[list].reduce((sum, count) => sum + count, 0)}
                  filter={filterFor(list, first, today)}
                  label={`${list} ${kind} from ${first}`}
                />
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </section>
  );
}

function PublishingPanel({ publishing }: { publishing: DashboardPublishing }) {
  const { latest } = publishing;
  const state = latest === null ? 'never' : latest.isExpired ? 'expired' : latest.isExpiringSoon ? 'expiring' : 'current';
  return (
    <section className={`panel dashboard-publishing publishing-${state}`} aria-labelledby="dashboard-publishing-heading">
      <div className="panel-heading">
        <h2 id="dashboard-publishing-heading">Publishing</h2>
        {/* Named apart from the Publish section's own link, so "the Publish link" stays one link. */}
        <a href={routeHref('publish')}>Snapshot history</a>
      </div>
      {latest === null ? (
        <p className="check-status check-warn" role="status">
          Nothing has been published from this database yet.
        </p>
      ) : (
        <>
          {latest.isExpired && (
            <p className="check-status check-fail" role="alert">
              Serial {latest.serial} expired at {formatTime(latest.expiresAt)}: DNS hosts stop serving it. Publish now.
            </p>
          )}
          {latest.isExpiringSoon && (
            <p className="check-status check-warn" role="alert">
              Serial {latest.serial} expires at {formatTime(latest.expiresAt)}, within {publishing.expiringWithinHours} hours.
            </p>
          )}
          <dl className="facts">
            <div>
              <dt>Current serial</dt>
              <dd data-figure="serial">{latest.serial}</dd>
            </div>
            <div>
              <dt>Published</dt>
              <dd>
                {formatTime(latest.createdAt)} by {latest.preparedBy}
                {latest.approvedBy && `, approved by ${latest.approvedBy}`}
              </dd>
            </div>
            <div>
              <dt>Expires</dt>
              <dd>{formatTime(latest.expiresAt)}</dd>
            </div>
            <div>
              <dt>In force</dt>
              <dd>
                {LISTS.map((list) => (
                  <span key={list} className="in-force">
                    <ListBadge list={list} /> {formatCount(latest.listingsInForce[list] ?? 0)}
                  </span>
                ))}
              </dd>
            </div>
          </dl>
        </>
      )}
      {publishing.unpublishedChanges > 0 ? (
        <p className="check-status check-warn unpublished" role="status">
          {publishing.isUnpublishedCapped ? 'At least ' : ''}
          {formatCount(publishing.unpublishedChanges)} listing{publishing.unpublishedChanges === 1 ? '' : 's'} changed, not yet published (
          {LISTS.filter((list) => publishing.unpublishedByList[list] > 0)
            .map((list) => `${list} ${formatCount(publishing.unpublishedByList[list])}`)
            .join(', ')}
          ){publishing.unpublishedSince && ` since ${formatTime(publishing.unpublishedSince)}`}.
        </p>
      ) : (
        latest !== null && (
          <p className="check-status check-pass" role="status">
            Everything recorded is published.
          </p>
        )
      )}
    </section>
  );
}

function InvestigatorsPanel({ investigators }: { investigators: readonly DashboardInvestigator[] }) {
  return (
    <section className="panel dashboard-investigators" aria-labelledby="dashboard-investigators-heading">
      <div className="panel-heading">
        <h2 id="dashboard-investigators-heading">Investigators</h2>
        <p className="panel-summary muted">Active listings assigned, and open requests.</p>
      </div>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" className="number">Listings</th>
              <th scope="col">By list</th>
              <th scope="col" className="number">Open requests</th>
            </tr>
          </thead>
          <tbody>
            {investigators.map((person) => (
              <tr key={person.name} data-investigator={person.name}>
                <th scope="row">
                  {person.name}
                  {!person.isActive && <span className="tag tag-expired">inactive</span>}
                </th>
                <td className="number">
                  <Count value={person.assigned} filter={{ investigator: person.name, status: 'active' }} label={`${person.name} active`} />
                </td>
                <td>
                  {LISTS.filter((list) => (person.byList[list] ?? 0) > 0).map((list) => (
                    <span key={list} className="in-force">
                      <ListBadge list={list} />{' '}
                      <Count value={person.byList[list] ?? 0} filter={{ list, investigator: person.name, status: 'active' }} label={`${person.name} ${list}`} />
                    </span>
                  ))}
                </td>
                <td className="number">{formatCount(person.openRequests)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

// The map's code (d3, the map component) loads with the countries panel, not with the dashboard.
const CountryMap = lazy(() => import('./CountryMap.js').then((module) => ({ default: module.CountryMap })));

function CountriesPanel({ countries }: { countries: readonly DashboardCountry[] }) {
  return (
    <section className="panel dashboard-countries" aria-labelledby="dashboard-countries-heading">
      <div className="panel-heading">
        <h2 id="dashboard-countries-heading">Countries</h2>
        <p className="panel-summary muted">Active DUL listings by the country in the ISP registry: the darker, the more addresses.</p>
      </div>
      {countries.length === 0 ? (
        <p className="muted">No active DUL listing belongs to an ISP yet.</p>
      ) : (
        <>
          <Suspense fallback={<p className="muted">Loading the map…</p>}>
            <CountryMap countries={countries} />
          </Suspense>
        <div className="table-scroll">
          <table className="countries">
            <thead>
              <tr>
                <th scope="col">Country</th>
                <th scope="col">ISPs</th>
                <th scope="col" className="number">Ranges</th>
                <th scope="col" className="number">IPv4 addresses</th>
                <th scope="col" className="number">IPv6 /64s</th>
              </tr>
            </thead>
            <tbody>
              {countries.map((country) => (
                <tr key={country.country ?? '-'} data-country={country.country ?? 'none'}>
                  <th scope="row">{country.country ?? <span className="muted">not set</span>}</th>
                  <td>
                    {country.isps.map((isp, index) => (
                      <span key={isp.name}>
                        {index > 0 && ', '}
                        <a href={listingsHref({ list: 'DUL', isp: isp.name, status: 'active' })}>{isp.name}</a>
                      </span>
                    ))}
                  </td>
                  <td className="number">{formatCount(country.entries)}</td>
                  <td className="number">{groupDigits(country.ipv4Addresses)}</td>
                  <td className="number">{groupDigits(country.ipv6Slash64s)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        </>
      )}
    </section>
  );
}

export function DashboardView({ routePeriod }: { routePeriod: string | null }) {
  const api = useApi();
  const period: DashboardPeriod = routePeriod !== null && isOneOf(DASHBOARD_PERIODS, routePeriod) ? routePeriod : 'month';
  const [shownPeriod, setShownPeriod] = useState(period);
  const dashboard = useReloadable(() => api['dashboard.get']({ period }));
  // What others change moves the figures (the dashboard folds them as it is asked).
  useChanges(['listings', 'snapshots', 'isps', 'dul-submissions', 'investigators'], dashboard.reload);
  if (shownPeriod !== period) {
    setShownPeriod(period);
    dashboard.reload();
  }
  const { loaded } = dashboard;
  return (
    <div className="dashboard">
      <div className="dashboard-title">
        <h1>Dashboard</h1>
        {loaded.state === 'done' && <p className="muted">As of {formatTime(loaded.value.generatedAt)}</p>}
        <button type="button" onClick={dashboard.reload} disabled={dashboard.isReloading}>
          Refresh
        </button>
      </div>
      {loaded.state === 'loading' && <p aria-live="polite">Loading the dashboard…</p>}
      {loaded.state === 'failed' && <ErrorLine error={loaded.error} />}
      {loaded.state === 'done' && loaded.value.isBehind && (
        <p className="check-status check-warn behind" role="status">
          Some recent changes are not counted yet: another task is writing to the database. Refresh in a moment.
        </p>
      )}
      {loaded.state === 'done' && (
        <div className="dashboard-grid">
          <ListsPanel lists={loaded.value.lists} today={loaded.value.today} />
          <ActivityPanel data={loaded.value} period={loaded.value.series.period} />
          <PublishingPanel publishing={loaded.value.publishing} />
          <QueuesPanel />
          <InvestigatorsPanel investigators={loaded.value.investigators} />
          <CountriesPanel countries={loaded.value.countries} />
        </div>
      )}
    </div>
  );
}
