/** Where the running system is, as global setup publishes it to the tests (environment variables). */
export interface SystemInfo {
  /** The dashboard's URL (through the gateway). */
  url: string;
  /** The data plane, for load. */
  dataUrl: string;
  controlUrl: string;
  operatorToken: string;
  viewerToken: string;
}

export function systemInfo(): SystemInfo {
  const raw = process.env.FORKYARD_E2E_SYSTEM;
  if (!raw) throw new Error('FORKYARD_E2E_SYSTEM is not set: run the tests through playwright.config.ts (global setup starts the system)');
  return JSON.parse(raw) as SystemInfo;
}

/** The configuration the system starts with (the tests assert on it). */
export const START_CONFIG = {
  mpm: 'worker',
  directives: {
    ServerLimit: 4,
    ThreadsPerChild: 4,
    MaxRequestWorkers: 16,
    StartServers: 2,
    MinSpareThreads: 4,
    MaxSpareThreads: 12,
    KeepAliveTimeout: 2,
    GracefulShutdownTimeout: 20,
    MaintenanceInterval: 250,
  },
} as const;
