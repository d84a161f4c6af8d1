/** What the tests do with the dashboard, in the words a person would use. */
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemInfo } from './system.js';

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '../test-results/screenshots');

export async function signIn(page: Page, role: 'operator' | 'viewer' = 'operator'): Promise<void> {
  const sys = systemInfo();
  await page.goto(sys.url);
  await page.getByLabel('Token').fill(role === 'operator' ? sys.operatorToken : sys.viewerToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('region', { name: 'Scoreboard' })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Connection' })).toContainText('Live');
}

/** The accessible names of the scoreboard's rows (children and open slots). */
export async function rowLabels(page: Page): Promise<string[]> {
  const rows = page.getByRole('region', { name: 'Scoreboard' }).getByRole('row');
  const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  return labels.filter((l) => l !== '');
}

/** The slot letters of every row, in mod_status form. */
export async function slotLetters(page: Page): Promise<string[]> {
  return (await rowLabels(page)).map((l) => /slots (\S+)$/.exec(l)?.[1] ?? '').filter((s) => s !== '');
}

export async function childRows(page: Page): Promise<Array<{ pid: number; generation: number; letters: string }>> {
  return (await rowLabels(page))
    .map((l) => /^Child pid (\d+), generation (\d+).*slots (\S+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), generation: Number(m[2]), letters: m[3]! }));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // The header is sticky: from the top, a full-page shot shows the page as it is laid out.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
