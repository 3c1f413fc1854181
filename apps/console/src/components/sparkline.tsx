/** A small line chart (SVG) of a series, with its first and last values spoken. */
export function Sparkline(props: { points: { x: string; y: number }[]; label: string }) {
  const { points } = props;
  if (points.length < 2) return <p className="hint">Not enough history yet.</p>;
  const width = 300;
  const height = 64;
  const max = Math.max(...points.map((p) => p.y), 1);
  const min = Math.min(...points.map((p) => p.y), 0);
  const path = points
    .map((p, i) => {
      const x = (i / (points.length - 1)) * width;
      const y = height - ((p.y - min) / (max - min || 1)) * (height - 4) - 2;
      return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  const first = points[0];
  const last = points[points.length - 1];
  const summary = `${props.label}: ${first.y.toFixed(1)} on ${first.x}, ${last.y.toFixed(1)} on ${last.x}, highest ${max.toFixed(1)}`;
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={summary}
      preserveAspectRatio="none"
    >
      <title>{summary}</title>
      <path
        d={path}
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        vectorEffect="non-scaling-stroke"
      />
    </svg>
  );
}
