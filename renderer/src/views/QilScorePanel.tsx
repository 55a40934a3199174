/** A QIL source's score over time (a small chart with the levels' thresholds), its level L and each level's expiry. */
import type { QilScoreView } from '../../../shared/qil.js';
import { useApi } from '../api.js';
import { formatTime } from '../format.js';
import { useOperation } from '../useOperation.js';

const WIDTH = 480;
const HEIGHT = 140;
const MARGIN = { left: 36, right: 52, top: 8, bottom: 20 };
/** Samples drawn per gap between hits, so the decay shows as a curve. */
const DECAY_SAMPLES = 12;

/**
 * The chart's polyline: after each hit the score jumps by the hit's count, between hits it
 * halves every half-life (the same formula the core scores with).
 */
export function scoreCurve(view: Pick<QilScoreView, 'points' | 'halfLifeHours'>): Array<{ time: number; score: number }> {
  const curve: Array<{ time: number; score: number }> = [];
  const halfLifeMs = view.halfLifeHours * 3_600_000;
  view.points.forEach((point, index) => {
    const time = Date.parse(point.at);
    if (index > 0) {
      const previous = curve[curve.length - 1];
      for (let sample = 1; sample <= DECAY_SAMPLES; sample += 1) {
        const at = previous.time + ((time - previous.time) * sample) / DECAY_SAMPLES;
        curve.push({ time: at, score: previous.score * 2 ** (-(at - previous.time) / halfLifeMs) });
      }
    }
    curve.push({ time, score: point.score });
  });
  return curve;
}

function ScoreChart({ view }: { view: QilScoreView }) {
  const curve = scoreCurve(view);
  const first = curve[0].time;
  const last = Math.max(curve[curve.length - 1].time, first + 1);
  // Levels 1-3's thresholds (level 4's is a single hit) bound the scale so the lines show.
  const top = Math.max(...curve.map((point) => point.score), ...view.thresholds.slice(0, 3)) * 1.1;
  const x = (time: number) => MARGIN.left + ((time - first) / (last - first)) * (WIDTH - MARGIN.left - MARGIN.right);
  const y = (score: number) => HEIGHT - MARGIN.bottom - (score / top) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const path = curve.map((point, index) => `${index === 0 ? 'M' : 'L'}${x(point.time).toFixed(1)},${y(point.score).toFixed(1)}`).join(' ');
  const description = `Score of ${view.ip} from ${formatTime(view.points[0].at)} to ${formatTime(view.points[view.points.length - 1].at)}: now ${view.score}, highest ${Math.max(...view.points.map((point) => point.score))}`;
  return (
    <svg className="qil-chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={description} style={{ width: '100%', maxWidth: WIDTH }}>
      {view.thresholds.slice(0, 3).map((limit, index) => (
        <g key={index}>
          <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(limit)} y2={y(limit)} stroke="currentColor" strokeOpacity={0.35} strokeDasharray="4 3" />
          <text x={WIDTH - MARGIN.right + 4} y={y(limit) + 4} fontSize={10} fill="currentColor">
            {index === 0 || view.thresholds[index] !== view.thresholds[index - 1] ? `level ${index + 1}${index === 0 && view.thresholds[1] === limit ? '-2' : ''}` : ''}
          </text>
        </g>
      ))}
      <line x1={MARGIN.left} x2={MARGIN.left} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} stroke="currentColor" strokeOpacity={0.5} />
      <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={HEIGHT - MARGIN.bottom} y2={HEIGHT - MARGIN.bottom} stroke="currentColor" strokeOpacity={0.5} />
      <text x={MARGIN.left - 4} y={MARGIN.top + 8} fontSize={10} textAnchor="end" fill="currentColor">
        {Math.round(top)}
      </text>
      <text x={MARGIN.left - 4} y={HEIGHT - MARGIN.bottom} fontSize={10} textAnchor="end" fill="currentColor">
        0
      </text>
      <text x={MARGIN.left} y={HEIGHT - 4} fontSize={10} fill="currentColor">
        {formatTime(view.points[0].at)}
      </text>
      <text x={WIDTH - MARGIN.right} y={HEIGHT - 4} fontSize={10} textAnchor="end" fill="currentColor">
        now
      </text>
      <path d={path} fill="none" stroke="currentColor" strokeWidth={1.5} />
    </svg>
  );
}

/** The QIL panel of a source: nothing when it has no trap hits (a manual QIL entry). */
export function QilScorePanel({ ip }: { ip: string }) {
  const api = useApi();
  const loaded = useOperation(() => api['qil.score']({ ip }), `qil.score ${ip}`);
  if (loaded.state === 'loading') return <p className="muted">Loading the QIL score…</p>;
  if (loaded.state === 'failed') return <p role="alert">QIL score: {loaded.error.message}</p>;
  const view = loaded.value;
  if (view.hits === 0) return null;
  return (
    <section className="qil-score" aria-labelledby="qil-score-title">
      <h3 id="qil-score-title">QIL score</h3>
      <p>
        {view.hits} trap hit{view.hits === 1 ? '' : 's'}, score now {view.score}
        {view.rating && <span className="muted"> (good rating: {view.rating})</span>}.{' '}
        {view.level === null || view.expiresAt === null ? (
          'Not listed on QIL now.'
        ) : (
          <>
            Listed at level {view.level} until <time dateTime={view.expiresAt}>{formatTime(view.expiresAt)}</time>
            {view.lapsesAt && view.lapsesAt !== view.expiresAt && (
              <>
                ; at some level until <time dateTime={view.lapsesAt}>{formatTime(view.lapsesAt)}</time>
              </>
            )}
            .
          </>
        )}
      </p>
      <ScoreChart view={view} />
      <table className="qil-levels">
        <caption className="muted">Per aggressiveness level</caption>
        <thead>
          <tr>
            <th scope="col">Level</th>
            <th scope="col">Lists at score</th>
            <th scope="col">Listing</th>
          </tr>
        </thead>
        <tbody>
          {view.levels.map((level) => (
            <tr key={level.level}>
              <td>{level.level}</td>
              <td>{view.thresholds[level.level - 1]}</td>
              <td>
                {level.expiresAt === null ? (
                  <span className="muted">never listed</span>
                ) : (
                  <>
                    {level.listed ? 'listed until ' : 'lapsed at '}
                    <time dateTime={level.expiresAt}>{formatTime(level.expiresAt)}</time>
                    {level.listingId !== null && <span className="muted"> #{level.listingId}</span>}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
