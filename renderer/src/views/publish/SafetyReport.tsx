/** The safety checks a publish runs before writing anything, each with its status and findings. */
import type { CheckStatus, SafetyCheck } from '../../../../shared/publishing.js';
import './publish.css';

const CHECK_TITLES: Record<SafetyCheck['name'], string> = {
  'test-points': 'Test points',
  'no-whole-space': 'No whole address space',
  'special-space': 'No special-purpose space',
  'gal-conflicts': 'GAL conflicts',
  'change-size': 'Change size',
};

/** Text and a symbol beside the colour, so the status reads without colour vision. */
const STATUS_LABELS: Record<CheckStatus, { symbol: string; text: string }> = {
  pass: { symbol: '✓', text: 'pass' },
  warn: { symbol: '!', text: 'warn' },
  fail: { symbol: '✕', text: 'fail' },
  'needs-approval': { symbol: '⚑', text: 'needs approval' },
};

export function CheckStatusBadge({ status }: { status: CheckStatus }) {
  const { symbol, text } = STATUS_LABELS[status];
  return (
    <span className={`check-status check-${status}`}>
      <span aria-hidden="true">{symbol}</span> {text}
    </span>
  );
}

/** `isExpanded` opens every check's items at once (a refusal, where they are the point). */
export function SafetyChecks({ checks, isExpanded = false }: { checks: readonly SafetyCheck[]; isExpanded?: boolean }) {
  return (
    <ul className="safety-checks">
      {checks.map((check) => (
        <li key={check.name} className={`safety-check check-row-${check.status}`} data-check={check.name}>
          <CheckStatusBadge status={check.status} />
          <div className="safety-check-text">
            <strong>{CHECK_TITLES[check.name]}</strong> <code className="muted">{check.name}</code>
            <p className="safety-check-message">{check.message}</p>
            {check.items.length > 0 && (
              <details open={isExpanded}>
                <summary>
                  {check.items.length === 1 ? '1 item' : `${check.items.length} items`}
                </summary>
                <ul className="safety-check-items">
                  {check.items.map((item) => (
                    <li key={item}>
                      <code>{item}</code>
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}

/** One line over all checks: what stops a publish now. */
export function safetySummary(checks: readonly SafetyCheck[]): { status: CheckStatus; text: string } {
  const failed = checks.filter((check) => check.status === 'fail').length;
  if (failed > 0) return { status: 'fail', text: failed === 1 ? '1 check fails: publishing is refused until it passes' : `${failed} checks fail: publishing is refused until they pass` };
  if (checks.some((check) => check.status === 'needs-approval')) return { status: 'needs-approval', text: 'the change is large: a second publisher must approve it' };
  if (checks.some((check) => check.status === 'warn')) return { status: 'warn', text: 'ready to publish, with warnings' };
  return { status: 'pass', text: 'every check passes' };
}

export function SafetyReport({ checks }: { checks: readonly SafetyCheck[] | null }) {
  const summary = checks && safetySummary(checks);
  return (
    <section className="panel" aria-labelledby="safety-title">
      <div className="panel-heading">
        <h2 id="safety-title">Safety checks</h2>
        {summary && (
          <p className="panel-summary">
            <CheckStatusBadge status={summary.status} /> {summary.text}
          </p>
        )}
      </div>
      {checks === null ? <p className="muted">The checks run with the preview above.</p> : <SafetyChecks checks={checks} />}
    </section>
  );
}
