/** The result of a change, said where the change was made (and announced politely). */
export interface OutcomeValue {
  kind: 'pending' | 'ok' | 'error';
  text: string;
  details?: string[];
}

export function Outcome({ value, label }: { value: OutcomeValue | null; label: string }) {
  return (
    <div className={`outcome ${value ? `outcome-${value.kind}` : ''}`} role="status" aria-live="polite" aria-label={label}>
      {value && (
        <>
          <span>{value.text}</span>
          {value.details && value.details.length > 0 && (
            <ul>
              {value.details.map((d, i) => <li key={i}>{d}</li>)}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
