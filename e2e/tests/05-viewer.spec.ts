import { expect, test } from '@playwright/test';
import { screenshot, signIn } from '../support/dashboard.js';
import { systemInfo } from '../support/system.js';

test('a viewer token shows everything and cannot apply a change', async ({ page }) => {
  // A change made before this page opens, by an operator's tool.
  const sys = systemInfo();
  const res = await fetch(new URL('/api/v1/pool/graceful-restart', sys.controlUrl), { method: 'POST', headers: { authorization: `Bearer ${sys.operatorToken}` } });
  expect(res.status).toBe(200);

  await signIn(page, 'viewer');
  await expect(page.getByText('viewer', { exact: true })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'MPM' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Graceful restart' })).toBeDisabled();
  await expect(page.getByRole('region', { name: 'Load tests' }).getByRole('button', { name: 'Run', exact: true })).toBeDisabled();
  // Changes made before this page opened come from the audit trail.
  await expect(page.getByRole('region', { name: 'Events' })).toContainText('operator: pool.graceful-restart done');

  const directives = page.getByRole('region', { name: 'Directives' });
  await expect(directives).toContainText('changes need an operator token');
  // Validation still works for a viewer (it changes nothing); Apply stays off.
  await directives.getByLabel('MaxRequestWorkers', { exact: true }).fill('3');
  await expect(directives.getByRole('status', { name: 'Validation' })).toContainText('Valid');
  await expect(directives.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await screenshot(page, 'viewer-mode');
});

test('an operator edit is validated as typed, with field errors before Apply, and applied after confirmation', async ({ page }) => {
  await signIn(page);
  const directives = page.getByRole('region', { name: 'Directives' });
  const field = directives.getByLabel('MaxRequestWorkers', { exact: true });
  await field.fill('-4');
  await expect(directives.getByRole('alert')).toBeVisible();
  await expect(directives.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await field.fill('3');
  await expect(directives.getByRole('status', { name: 'Validation' })).toContainText('Valid');
  await expect(directives.getByRole('button', { name: 'Apply' })).toBeEnabled();
  await directives.getByRole('button', { name: 'Reset' }).click();
  await expect(directives.getByRole('button', { name: 'Apply' })).toBeDisabled();

  // Fewer workers drops capacity: Apply asks first, then says how it went.
  await field.fill('4');
  await expect(directives.getByRole('status', { name: 'Validation' })).toContainText('Valid');
  // One child's worth fewer (under worker and event, httpd rounds to a multiple of ThreadsPerChild).
  const outputs = await page.getByRole('group', { name: 'Quick resize' }).locator('output').allTextContents();
  const workers = Number(outputs[0]);
  const target = workers - (outputs[1] ? Number(outputs[1]) : 1);
  expect(target).toBeGreaterThan(0);
  await field.fill(String(target));
  await expect(directives.getByRole('button', { name: 'Apply' })).toBeEnabled();
  await directives.getByRole('button', { name: 'Apply' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(`MaxRequestWorkers ${workers} → ${target} (less capacity)`);
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(directives.getByRole('status', { name: 'Directive change result' })).toContainText('Applied');
  await expect(page.getByRole('region', { name: 'Scoreboard' }).getByLabel('Scoreboard summary')).toContainText(`MaxRequestWorkers ${target}`);
  await expect(page.getByRole('region', { name: 'Events' })).toContainText(`MaxRequestWorkers ${workers} → ${target}`);
});
