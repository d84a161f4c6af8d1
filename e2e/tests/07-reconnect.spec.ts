import { expect, test } from '@playwright/test';
import { screenshot, signIn } from '../support/dashboard.js';
import { systemInfo } from '../support/system.js';

test('after the control-plane connection is killed the UI marks it and reconnects by itself', async ({ page }) => {
  const sys = systemInfo();
  await signIn(page);
  const connection = page.getByRole('status', { name: 'Connection' });
  await expect(connection).toContainText('Live');

  // Cut the stream and keep it down for a while: the UI says so and marks its data stale.
  await fetch(new URL('/__e2e/block-streams?ms=4000', sys.url), { method: 'POST' });
  const res = await fetch(new URL('/__e2e/drop-streams', sys.url), { method: 'POST' });
  expect(((await res.json()) as { dropped: number }).dropped).toBeGreaterThanOrEqual(1);
  await expect(connection).toContainText('Disconnected, retrying in');
  await expect(connection).toContainText('data stale');
  await expect(page.getByRole('region', { name: 'Scoreboard' }).getByRole('status', { name: 'Stale data' })).toContainText('Stale: last update');
  await screenshot(page, 'disconnected-stale');

  // It comes back by itself.
  const events = page.getByRole('region', { name: 'Events' });
  await expect(events).toContainText('stream lost');
  await expect(events).toContainText('stream reconnected');
  await expect(connection).toHaveText(/^Live$/, { timeout: 20_000 });
  await expect(page.getByRole('status', { name: 'Stale data' })).toHaveCount(0);
  await screenshot(page, 'reconnected');
});
