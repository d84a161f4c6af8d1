import { expect, test } from '@playwright/test';
import { childRows, rowLabels, screenshot, signIn } from '../support/dashboard.js';
import { heldRequest, steadyLoad } from '../support/load.js';
import { systemInfo } from '../support/system.js';

/** Thread slots serving a request whose line contains `marker` right now (from the status API). */
async function inFlight(sys: ReturnType<typeof systemInfo>, marker: string): Promise<number> {
  const res = await fetch(new URL('/api/v1/status', sys.controlUrl), { headers: { authorization: `Bearer ${sys.viewerToken}` } });
  const snap = (await res.json()) as { processes: Array<{ threads: Array<[string, string, string, number]> }> };
  return snap.processes.flatMap((p) => p.threads).filter((t) => t[0].includes(marker) && t[3] !== 0).length;
}

test('switching the MPM in the UI rolls a new generation into a reshaped grid with no failed request', async ({ page }) => {
  const sys = systemInfo();
  await signIn(page);
  const mpm = page.getByRole('combobox', { name: 'MPM' });
  await expect(mpm).toHaveValue('worker');
  const before = await childRows(page);
  const generation = Math.max(...before.map((r) => r.generation));
  expect(before.every((r) => r.letters.length > 1)).toBe(true);

  const load = steadyLoad(`${sys.dataUrl}/sleep?ms=25`, 4);
  let held: Array<ReturnType<typeof heldRequest>> = [];
  try {
    await page.waitForTimeout(500);
    // Two requests held open keep old children finishing until the test has seen them.
    held = [heldRequest(`${sys.dataUrl}/echo?held`), heldRequest(`${sys.dataUrl}/echo?held`)];
    await expect.poll(() => inFlight(sys, '/echo?held')).toBe(2);
    await mpm.selectOption('prefork');
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText('Switch from worker to prefork?');
    await dialog.getByRole('button', { name: 'Switch to prefork' }).click();

    // The roll as it happens (old rows dimmed while they finish), then one thread slot per
    // child under the new generation.
    const roll = page.getByRole('status', { name: 'Generation roll' });
    await expect(roll).toContainText(`Generation ${generation + 1}`);
    await expect(roll).toContainText(`old (generation ${generation}) finishing`);
    // The roll counts the old generation at once; its rows say "finishing" once the primary has
    // told them to go, after the new children are ready. The held requests keep them until seen.
    await expect.poll(async () => (await rowLabels(page)).some((l) => new RegExp(`generation ${generation} \\(old\\), finishing`).test(l))).toBe(true);
    await screenshot(page, 'mpm-switch-rolling');
    for (const h of held) h.finish();
    await expect(page.getByRole('region', { name: 'Scoreboard' }).getByRole('row', { name: new RegExp(`^Child pid \\d+, generation ${generation + 1},`) }).first()).toBeAttached();
    await expect
      .poll(async () => {
        const rows = await childRows(page);
        return rows.length > 0 && rows.every((r) => r.generation === generation + 1 && r.letters.length === 1);
      }, { timeout: 40_000 })
      .toBe(true);
  } finally {
    for (const h of held) h.finish();
    const heldResults = await Promise.all(held.map((h) => h.reply));
    const heldFailed = heldResults.flatMap((r) => r.errors);
    expect(heldFailed, 'the held requests were answered in full by their old children').toEqual([]);
    const result = await load.stop();
    expect(result.failed, `failed requests: ${result.errors.slice(0, 5).join(', ')}`).toBe(0);
    expect(result.ok).toBeGreaterThan(20);
  }
  await expect(mpm).toHaveValue('prefork');
  await expect(page.getByRole('status', { name: 'Pool change result' })).toContainText(`Now prefork, generation ${generation + 1}`);
  await expect(page.getByRole('region', { name: 'Events' })).toContainText(`generation ${generation + 1} (prefork): MPM switch`);
  await screenshot(page, 'mpm-switch-done');
});
