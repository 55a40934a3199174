/**
 * Listings (or delistings) per day, stacked by list, drawn with uPlot on a canvas: 365 days x 5
 * lists is 1,825 bars, which a canvas draws in a few milliseconds where SVG would build nodes.
 * A click on a bar reports the list and day under the pointer; the colours come from the
 * stylesheet's variables, so the chart follows light and dark like the rest of the page.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { LISTS, type ListName } from '../../../../shared/domain.js';
import { onThemeChange } from '../../theme.js';
import './dashboard.css';

export interface ActivityChartProps {
  readonly days: readonly string[];
  readonly values: Readonly<Record<ListName, readonly number[]>>;
  /** What the bars count, for the accessible label ("listings", "delistings"). */
  readonly what: string;
  /** A bar was clicked: the list under the pointer (null above every stack) and the day. */
  readonly onPick: (list: ListName | null, day: string) => void;
}

const HEIGHT = 240;

function cssVariable(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888888';
}

/** Running sums bottom-up: stack[k][i] is lists 0..k on day i. */
function stacked(values: ActivityChartProps['values'], count: number): number[][] {
  const stack: number[][] = [];
  LISTS.forEach((list, index) => {
    stack.push(Array.from({ length: count }, (_, day) => (index === 0 ? 0 : stack[index - 1][day]) + (values[list][day] ?? 0)));
  });
  return stack;
}

export function ActivityChart({ days, values, what, onPick }: ActivityChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const pick = useRef(onPick);
  pick.current = onPick;

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    let chart: uPlot | null = null;
    const build = () => {
      chart?.destroy();
      const count = days.length;
      const stack = stacked(values, count);
      const xs = Array.from({ length: count }, (_, index) => index);
      // Tallest stack first: each smaller one is painted over it, leaving every list's band visible.
      const order = [...LISTS.keys()].reverse();
      const bars = uPlot.paths.bars?.({ size: [0.85, 28], gap: 1 });
      const text = cssVariable('--muted');
      const grid = cssVariable('--border');
      const options: uPlot.Options = {
        width: Math.max(280, element.clientWidth),
        height: HEIGHT,
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        legend: { show: true, live: true },
        scales: { x: { time: false, range: () => [-0.5, count - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
        axes: [
          {
            stroke: text,
            grid: { show: false },
            ticks: { stroke: grid },
            values: (_u, splits) => splits.map((split) => (Number.isInteger(split) && days[split] ? days[split].slice(5) : '')),
          },
          { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 56 },
        ],
        series: [
          { label: 'Day', value: (_u, value) => (value === null || days[value] === undefined ? '—' : days[value]) },
          ...order.map((listIndex) => {
            const list = LISTS[listIndex];
            const colour = cssVariable(`--list-${list.toLowerCase()}`);
            return {
              label: list,
              stroke: colour,
              fill: colour,
              width: 0,
              paths: bars,
              points: { show: false },
              value: (u: uPlot, _value: number | null, _series: number, index: number | null) => {
                const at = index ?? u.cursor.idx;
                return at === null || at === undefined ? '—' : String(values[list][at] ?? 0);
              },
            };
          }),
        ],
      };
      chart = new uPlot(options, [xs, ...order.map((listIndex) => stack[listIndex])], element);
      const instance = chart;
      instance.over.addEventListener('click', () => {
        const index = instance.cursor.idx;
        const top = instance.cursor.top;
        if (index === null || index === undefined || top === undefined || top < 0) return;
        const height = instance.posToVal(top, 'y');
        const list = LISTS.find((name, listIndex) => (values[name][index] ?? 0) > 0 && height <= stack[listIndex][index]) ?? null;
        pick.current(list, days[index]);
      });
    };
    build();
    const resize = new ResizeObserver(() => chart?.setSize({ width: Math.max(280, element.clientWidth), height: HEIGHT }));
    resize.observe(element);
    const stopFollowingTheme = onThemeChange(build);
    return () => {
      resize.disconnect();
      stopFollowingTheme();
      chart?.destroy();
    };
  }, [days, values]);

  const total = LISTS.reduce((sum, list) => sum + values[list].reduce((a, b) => a + b, 0), 0);
  return (
    <div
      className="activity-chart"
      ref={container}
      role="img"
      aria-label={`${what} per day from ${days[0]} to ${days[days.length - 1]}, stacked by list: ${total} in all`}
      data-days={days.length}
    />
  );
}
