import { expect, test, type Page } from '@playwright/test';
import { childRows, screenshot, signIn } from '../support/dashboard.js';
import { burst } from '../support/load.js';
import { systemInfo } from '../support/system.js';

const BUSY = /[RWKLDC]/g;

async function busySlots(page: Page): Promise<number> {
  return (await childRows(page)).reduce((n, r) => n + (r.letters.match(BUSY)?.length ?? 0), 0);
}

/** Moves the pointer over thread slot `col` of the row at `rowIndex` on the scoreboard's canvas. */
async function hoverCell(page: Page, rowIndex: number, col: number, columns: number): Promise<void> {
  const box = (await page.getByRole('region', { name: 'Scoreboard' }).locator('canvas').boundingBox())!;
  const cell = box.width / columns;
  await page.mouse.move(box.x + col * cell + cell / 2, box.y + rowIndex * 18 + 9);
}

test('a burst of /sleep turns cells busy, shows the request on hover, and they return to idle', async ({ page }) => {
  const sys = systemInfo();
  await signIn(page);
  await expect.poll(() => busySlots(page)).toBe(0);

  const load = burst(`${sys.dataUrl}/sleep?ms=4000`, 6);
  await expect.poll(() => busySlots(page), { timeout: 5000 }).toBeGreaterThanOrEqual(6);

  // Hover a busy slot: its in-flight request, client and elapsed time.
  const labels = await page.getByRole('region', { name: 'Scoreboard' }).getByRole('row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? '').filter(Boolean));
  const rowIndex = labels.findIndex((l) => /slots \S*W/.test(l));
  const letters = /slots (\S+)$/.exec(labels[rowIndex]!)![1]!;
  const columns = Math.max(...labels.map((l) => /slots (\S+)$/.exec(l)?.[1]?.length ?? 0));
  await hoverCell(page, rowIndex, letters.indexOf('W'), columns);
  const tooltip = page.getByRole('tooltip');
  await expect(tooltip).toContainText('GET /sleep?ms=4000');
  await expect(tooltip).toContainText('Sending Reply');
  await expect(tooltip).toContainText('Elapsed');
  await screenshot(page, 'scoreboard-busy-hover');

  // Click pins it, with its child's actions.
  await page.mouse.down();
  await page.mouse.up();
  await page.mouse.move(0, 0);
  const pinned = page.getByRole('group', { name: 'Pinned slot' });
  await expect(pinned).toContainText('/sleep?ms=4000');
  await expect(pinned.getByRole('button', { name: /^Recycle child \d+$/ })).toBeEnabled();
  await screenshot(page, 'scoreboard-pinned');

  const result = await load;
  expect(result.failed, result.errors.join(', ')).toBe(0);
  expect(result.ok).toBe(6);
  await expect.poll(() => busySlots(page), { timeout: 10_000 }).toBe(0);
  await expect(page.getByRole('figure', { name: /Requests \/ s/ })).toBeVisible();
});
