/** Absolute path of the built dashboard (index.html and assets/); exists after `pnpm build`. */
export declare const distDir: string;
