export function pgliteVersion(): string;
export function templateDir(): string;
export function copyTemplate(dataDir: string): boolean;
export function buildTemplate(options?: { force?: boolean }): Promise<{ target: string; built: boolean }>;
