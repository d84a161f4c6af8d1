// The built dashboard, for the control plane to serve at `/` (@fastify/static root).
import { fileURLToPath } from 'node:url';

/** Absolute path of the built dashboard (index.html and assets/); exists after `pnpm build`. */
export const distDir = fileURLToPath(new URL('./dist/', import.meta.url));
