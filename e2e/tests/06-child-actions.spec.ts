import { expect, test } from '@playwright/test';
import { childRows, rowLabels, screenshot, signIn } from '../support/dashboard.js';

test('a child is killed from its pinned slot after confirmation, and the log says why it exited', async ({ page }) => {
  await signIn(page);
  const board = page.getByRole('region', { name: 'Scoreboard' });
  const rows = await childRows(page);
  expect(rows.length).toBeGreaterThan(0);

  // Pin the first child's first slot from the keyboard (arrow keys skip rows beyond MaxRequestWorkers).
  const navigable = (await rowLabels(page)).filter((l) => !l.endsWith('beyond MaxRequestWorkers'));
  const index = navigable.findIndex((l) => l.startsWith('Child pid '));
  await board.getByRole('application', { name: /Slot cells/ }).focus();
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const pinned = board.getByRole('group', { name: 'Pinned slot' });
  await expect(pinned).toContainText(/pid \d+/);
  const pid = Number(/pid (\d+)/.exec((await pinned.textContent()) ?? '')?.[1]);
  expect(rows.map((r) => r.pid)).toContain(pid);

  await pinned.getByRole('button', { name: `Kill child ${pid}` }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(`Kill child ${pid}?`);
  await expect(dialog).toContainText('Capacity drops by');
  await screenshot(page, 'kill-confirm');
  await dialog.getByRole('button', { name: 'Kill' }).click();

  await expect(board.getByRole('status', { name: 'Child action result' })).toContainText(`Child ${pid} killed`);
  await expect(page.getByRole('region', { name: 'Events' })).toContainText(`child ${pid} exited: killed`);
  await expect.poll(async () => (await childRows(page)).some((r) => r.pid === pid)).toBe(false);
});
