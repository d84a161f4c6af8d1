/** Client load against the data plane from the test process, counting every failure. */
import { Agent, request } from 'node:http';

export interface LoadResult {
  ok: number;
  failed: number;
  errors: string[];
}

export function get(url: string, agent?: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** `n` requests at once; resolves when all have answered. */
export async function burst(url: string, n: number): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, failed: 0, errors: [] };
  await Promise.all(
    Array.from({ length: n }, () =>
      get(url).then(
        (status) => (status === 200 ? result.ok++ : (result.failed++, result.errors.push(`HTTP ${status}`))),
        (err: Error) => (result.failed++, result.errors.push(err.message)),
      ),
    ),
  );
  return result;
}

/** `concurrency` keep-alive clients looping until stop() is called. */
export function steadyLoad(url: string, concurrency: number): { stop(): Promise<LoadResult> } {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const result: LoadResult = { ok: 0, failed: 0, errors: [] };
  let running = true;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const status = await get(url, agent);
        if (status === 200) result.ok++;
        else {
          result.failed++;
          result.errors.push(`HTTP ${status}`);
        }
      } catch (err) {
        result.failed++;
        result.errors.push((err as Error).message);
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return result;
    },
  };
}

/**
 * A POST the test holds open: half its body now, the rest when `finish()` is called, so the
 * child answering it stays busy exactly as long as the test needs (no sleep to outlast).
 */
export function heldRequest(url: string): { finish(): void; reply: Promise<LoadResult> } {
  const body = 'first half|second half';
  const cut = body.indexOf('|') + 1;
  let finish = (): void => undefined;
  const reply = new Promise<LoadResult>((resolve) => {
    const done = (ok: boolean, error?: string): void => resolve({ ok: ok ? 1 : 0, failed: ok ? 0 : 1, errors: error ? [error] : [] });
    const req = request(url, { method: 'POST', headers: { 'content-type': 'text/plain', 'content-length': body.length }, timeout: 60_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => (res.statusCode === 200 && text === body ? done(true) : done(false, `HTTP ${res.statusCode}: ${text.slice(0, 40)}`)));
      res.on('error', (err) => done(false, err.message));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => done(false, err.message));
    req.write(body.slice(0, cut));
    finish = () => req.end(body.slice(cut));
  });
  return { finish: () => finish(), reply };
}
