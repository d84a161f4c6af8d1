/** Whether this session may change the pool now, and if not, the reason to show beside the control. */
import { useDashboard } from './store.js';

export interface CanChange {
  allowed: boolean;
  reason: string | null;
}

export function useCanChange(): CanChange {
  const role = useDashboard((s) => s.session.role);
  const live = useDashboard((s) => s.connection.phase === 'live');
  if (role !== 'operator') return { allowed: false, reason: 'Viewer token: you can watch everything; changes need an operator token.' };
  if (!live) return { allowed: false, reason: 'Not connected: changes wait until the stream is back.' };
  return { allowed: true, reason: null };
}
