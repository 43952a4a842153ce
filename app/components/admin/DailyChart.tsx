/**
 * A bar chart of one daily series as inline SVG (no script, no library). Accessible: role="img" with a <title>
 * and a <desc> that states the total and the busiest day; the page puts the same numbers in a table.
 */
import { useId } from "react";

interface DailyPoint {
  day: string;
  value: number;
}

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 16, right: 12, bottom: 28, left: 64 };

export function DailyChart({
  points,
  title,
  unit,
  format,
}: {
  points: readonly DailyPoint[];
  title: string;
  unit: string;
  format: (value: number) => string;
}) {
  const id = useId();
  const max = Math.max(0, ...points.map((p) => p.value));
  const top = niceCeiling(max);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(1, points.length);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (value: number) => PAD.top + plotHeight - (top === 0 ? 0 : (value / top) * plotHeight);
  const total = points.reduce((sum, p) => sum + p.value, 0);
  const busiest = points.reduce<DailyPoint | undefined>(
    (best, p) => (!best || p.value > best.value ? p : best),
    undefined,
  );
  const first = points[0]?.day ?? "";
  const last = points.at(-1)?.day ?? "";
  const description =
    total === 0
      ? `${first} 至 ${last} 每日${unit}，期間都是 0。`
      : `${first} 至 ${last} 每日${unit}，合計 ${format(total)}；最高為 ${busiest?.day}，${format(busiest?.value ?? 0)}。`;

  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      className="h-auto w-full"
      preserveAspectRatio="xMidYMid meet"
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      {[0, 0.5, 1].map((fraction) => {
        const value = top * fraction;
        return (
          <g key={fraction}>
            <line
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(value)}
              y2={y(value)}
              className="stroke-stone-300"
              strokeDasharray={fraction === 0 ? undefined : "4 4"}
            />
            <text x={PAD.left - 8} y={y(value) + 4} textAnchor="end" className="fill-stone-700 text-[12px]">
              {format(value)}
            </text>
          </g>
        );
      })}
      {points.map((point, index) => {
        const x = PAD.left + index * slot + (slot - barWidth) / 2;
        return (
          <rect
            key={point.day}
            x={x}
            y={y(point.value)}
            width={barWidth}
            height={Math.max(0, PAD.top + plotHeight - y(point.value))}
            className="fill-brand-700"
          >
            <title>{`${point.day}：${format(point.value)}`}</title>
          </rect>
        );
      })}
      {points.map((point, index) =>
        index % 5 === 0 || index === points.length - 1 ? (
          <text
            key={`label-${point.day}`}
            x={PAD.left + index * slot + slot / 2}
            y={HEIGHT - 8}
            textAnchor="middle"
            className="fill-stone-700 text-[12px]"
          >
            {point.day.slice(5).replace("-", "/")}
          </text>
        ) : null,
      )}
    </svg>
  );
}

/**
 * 0, or a round number at or above `value` (2, 4, 6, 8 or 10 × 10ⁿ, n ≥ 0), so the axis reads well and its
 * midpoint is a whole number too.
 */
function niceCeiling(value: number): number {
  if (value <= 0) return 0;
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(value)));
  for (const step of [2, 4, 6, 8, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 20 * magnitude;
}
