/** The eleven httpd states, each with its colour, letter and mod_status legend text. */
import { SLOT_STATES } from '../../lib/slot-states.js';

export function ScoreboardLegend() {
  return (
    <ul className="legend" aria-label="Slot states">
      {SLOT_STATES.map((s) => (
        <li key={s.letter}>
          <code className="legend-swatch" style={{ background: `var(${s.cssVar})`, color: `var(${s.cssVar}-text)` }}>
            {s.letter}
          </code>
          <span>{s.legend}</span>
        </li>
      ))}
    </ul>
  );
}
