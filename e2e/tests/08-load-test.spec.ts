import { expect, test } from '@playwright/test';
import { screenshot, signIn } from '../support/dashboard.js';

test('a load test runs from the UI with live progress and lands in the history', async ({ page }) => {
  await signIn(page);
  const panel = page.getByRole('region', { name: 'Load tests' });
  await panel.getByLabel('Scenario').selectOption('hello');
  await panel.getByLabel('Connections').fill('4');
  await panel.getByLabel('Seconds').fill('3');
  await panel.getByRole('button', { name: 'Run', exact: true }).click();

  const running = panel.getByRole('status', { name: 'Running load test' });
  await expect(running).toContainText(/second [1-3]\/3 · [\d,]+ req\/s/);
  await screenshot(page, 'load-test-running');
  await expect(running).toHaveCount(0, { timeout: 20_000 });

  const latest = panel.getByRole('table', { name: 'Load-test history' }).getByRole('row').nth(1);
  await expect(latest).toContainText('hello');
  await expect(latest).toContainText('completed');
  await expect(latest).toContainText(/[1-9][\d,]* req\/s/);
  await expect(page.getByRole('region', { name: 'Events' })).toContainText('load test hello finished');
});
