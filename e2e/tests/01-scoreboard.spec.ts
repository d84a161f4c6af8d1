import { expect, test } from '@playwright/test';
import { rowLabels, screenshot, signIn, slotLetters } from '../support/dashboard.js';
import { START_CONFIG } from '../support/system.js';

const { ServerLimit, ThreadsPerChild } = START_CONFIG.directives;

test('the scoreboard shows every configured slot, open capacity included', async ({ page }) => {
  await signIn(page);
  const board = page.getByRole('region', { name: 'Scoreboard' });
  await expect(board.getByLabel('Scoreboard summary')).toContainText(`${ServerLimit} child slots × ${ThreadsPerChild} threads = ${ServerLimit * ThreadsPerChild} slots`);
  // The accept queue and the connections refused beyond ListenBacklog, from the pool itself.
  await expect(board.getByLabel('Scoreboard summary')).toContainText(/queue \d+\s*refused 0/);

  // One row per child slot up to ServerLimit; together they hold every thread slot.
  await expect.poll(async () => (await slotLetters(page)).join('').length).toBe(ServerLimit * ThreadsPerChild);
  const labels = await rowLabels(page);
  expect(labels.filter((l) => l.startsWith('Child pid ')).length).toBeGreaterThanOrEqual(START_CONFIG.directives.StartServers);
  expect(labels.some((l) => /^Slot \d+: open, slots \.{4}$/.test(l))).toBe(true);

  // The legend names all eleven states with httpd's texts.
  const legend = board.getByRole('list', { name: 'Slot states' });
  await expect(legend.getByRole('listitem')).toHaveCount(11);
  await expect(legend).toContainText('Gracefully finishing');
  await expect(legend).toContainText('Open slot with no current process');

  for (const region of ['Scoreboard', 'Directives', 'Events']) await expect(page.getByRole('region', { name: region })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'MPM' })).toHaveValue('worker');
  // Keyboard: focus the cells, move, pin with Enter.
  await board.getByRole('application', { name: /Slot cells/ }).focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await expect(board.getByRole('group', { name: 'Pinned slot' })).toContainText('0.1 · pid');
  await expect(board.getByRole('group', { name: 'Pinned slot' })).toContainText('Waiting for Connection');
  await page.keyboard.press('Escape');
  await screenshot(page, 'overview-light-1280x800');

  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.waitForTimeout(1500);
  await screenshot(page, 'overview-dark-1920x1080');
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
});
