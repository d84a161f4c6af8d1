import { expect, test } from '@playwright/test';
import { childRows, screenshot, signIn, slotLetters } from '../support/dashboard.js';
import { START_CONFIG } from '../support/system.js';

test('a resize in the UI rolls a generation and reshapes the grid', async ({ page }) => {
  await signIn(page);
  const before = START_CONFIG.directives.ThreadsPerChild;
  const board = page.getByRole('region', { name: 'Scoreboard' });
  await expect(board.getByLabel('Scoreboard summary')).toContainText(`× ${before} threads`);
  const generation = Math.max(...(await childRows(page)).map((r) => r.generation));

  await page.getByRole('button', { name: 'Increase ThreadsPerChild' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(`ThreadsPerChild ${before} → ${before + 1}`);
  // httpd's adjustment shows before anything is applied: 16 is not a multiple of 5.
  await expect(dialog).toContainText('MaxRequestWorkers');
  await screenshot(page, 'resize-confirm');
  await dialog.getByRole('button', { name: 'Resize' }).click();

  await expect(page.getByRole('status', { name: 'Pool change result' })).toContainText(`ThreadsPerChild is ${before + 1}`);
  await expect(board.getByLabel('Scoreboard summary')).toContainText(`× ${before + 1} threads`);
  await expect
    .poll(async () => {
      const rows = await childRows(page);
      return rows.length > 0 && rows.every((r) => r.generation > generation && r.letters.length === before + 1);
    }, { timeout: 30_000 })
    .toBe(true);
  expect((await slotLetters(page)).every((l) => l.length === before + 1)).toBe(true);
  await expect(page.getByRole('region', { name: 'Events' })).toContainText('directive change');
});
