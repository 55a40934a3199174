/**
 * The DUL section: the ISP registry, and per ISP its record, an import with preview and commit
 * (both background jobs with progress and Cancel), its submissions over time with Revert on the
 * latest one in force, and its active ranges with the limits that touch them.
 */
import { IspList } from './IspList.js';
import { IspPage } from './IspPage.js';

/** The DUL section: the registry, or one ISP's page when the route names it. */
export function DulView({ ispName }: { ispName: string | null }) {
  return ispName === null ? <IspList /> : <IspPage key={ispName} name={ispName} />;
}
