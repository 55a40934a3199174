/** "What changed since the last snapshot": per list, the listings in force now and the difference. */
import { LISTS } from '../../../../shared/domain.js';
import type { PublishPreview } from '../../../../shared/publishing.js';
import { formatCount } from '../../format.js';
import type { Reloadable } from '../../useOperation.js';
import { ListBadge } from '../ListBadge.js';
import './publish.css';
import { ChangeCountHeaders } from './ChangeCountHeaders.js';

function ChangesTable({ preview }: { preview: PublishPreview }) {
  const { changes } = preview;
  return (
    <div className="table-scroll">
      <table className="changes">
        <caption>
          Zone <code>{preview.zone}</code> ·{' '}
          {preview.lastSerial === null ? 'no snapshot published yet' : (
            <>
              compared with snapshot <strong>{preview.lastSerial}</strong>
            </>
          )}
        </caption>
        <thead>
          <tr>
            <th scope="col">List</th>
            <ChangeCountHeaders inForce="In force now" />
          </tr>
        </thead>
        <tbody>
          {LISTS.map((list) => (
            <tr key={list} data-list={list}>
              <th scope="row">
                <ListBadge list={list} />
              </th>
              <td className="number column-total">{formatCount(preview.listingsInForce[list])}</td>
              {changes === null ? (
                <td className="column-first muted" colSpan={2}>
                  first snapshot
                </td>
              ) : (
                <>
                  <td className="number column-added">{changes[list].added > 0 ? `+${formatCount(changes[list].added)}` : '0'}</td>
                  <td className="number column-removed">{changes[list].removed > 0 ? `−${formatCount(changes[list].removed)}` : '0'}</td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ChangesPreview({ preview }: { preview: Reloadable<PublishPreview> }) {
  const { loaded } = preview;
  return (
    <section className="panel" aria-labelledby="changes-title">
      <div className="panel-heading">
        <h2 id="changes-title">What changed since the last snapshot</h2>
        <button type="button" className="secondary" onClick={preview.reload} disabled={preview.isReloading}>
          {preview.isReloading && loaded.state !== 'loading' ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {loaded.state === 'loading' && (
        <p className="muted" aria-live="polite">
          Reading the listings in force…
        </p>
      )}
      {loaded.state === 'failed' && (
        <p className="error" role="alert">
          {loaded.error.message}
        </p>
      )}
      {loaded.state === 'done' && <ChangesTable preview={loaded.value} />}
    </section>
  );
}
