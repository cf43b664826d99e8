import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { defaultLimits, type HttpLimits } from './app.js';
import { apiKeyEntrySchema, createApiKey, roles, type ApiKeyEntry, type Role } from './security/api-keys.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './server.js';

/**
 * Server configuration: a JSON file (all fields optional), overridden by
 * environment variables. See the README for the format and the variables.
 */
const positiveInt = z.number().int().min(1);

const limitsSchema = z
  .object({
    maxBodyBytes: positiveInt,
    requestTimeoutMs: positiveInt,
    defaultPageSize: positiveInt,
    maxPageSize: positiveInt,
    requestsPerMinute: positiveInt,
    maxLiveStreams: positiveInt,
    maxLiveStreamsPerKey: positiveInt,
    maxConcurrentReplays: positiveInt,
    maxConcurrentReplaysPerKey: positiveInt,
    maxReadModelLag: z.number().int().min(0),
    heartbeatMs: positiveInt,
    pageCacheBytes: z.number().int().min(0),
    heapGrowingPercent: z.number().int().min(0).max(1_000),
    transport: z.object({ maxStringLength: positiveInt, maxArrayItems: positiveInt, maxInteger: positiveInt, maxRecordKeys: positiveInt }).strict().partial(),
  })
  .strict()
  .partial();

export const configFileSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65_535),
    /** The SQLite file of the embedded store, relative to the config file. */
    database: z.string().min(1),
    corsOrigins: z.array(z.url()),
    keys: z.array(apiKeyEntrySchema),
    limits: limitsSchema,
    /** The institute's name on the report's letterhead (printed pages, PDF): one name, or one per language (`{ "ar": …, "fr": …, "en": … }`). */
    institute: z.union([z.string().min(1).max(200), z.object({ ar: z.string().min(1).max(200), fr: z.string().min(1).max(200), en: z.string().min(1).max(200) }).partial().strict()]),
    /** The report's language when the reader's browser asks for none taawun speaks: `ar`, `fr` or `en` (default). */
    language: z.enum(['ar', 'fr', 'en']),
    /**
     * Where the log's signed checkpoints are witnessed (read by the command line, not by
     * this adapter): a file, relative to the config file, or a PostgreSQL database other
     * than the log's (`postgres://…`). `--witness` / `TAAWUN_WITNESS` win over it.
     */
    witness: z.string().min(1),
  })
  .strict()
  .partial();

export type ConfigFile = z.infer<typeof configFileSchema>;

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Absolute path of the SQLite file. */
  readonly database: string;
  readonly corsOrigins: readonly string[];
  readonly keys: readonly ApiKeyEntry[];
  readonly limits: HttpLimits;
  /** The institute's name on the report's letterhead, when configured (one name, or one per language). */
  readonly institute?: string | Readonly<Partial<Record<'ar' | 'fr' | 'en', string>>>;
  /** The report's institute-wide default language, when configured. */
  readonly language?: 'ar' | 'fr' | 'en';
  /** The file read, if any. */
  readonly configFile?: string;
}

export const DEFAULT_DATABASE = 'data/taawun.db';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const languageOf = (value: string | undefined): 'ar' | 'fr' | 'en' | undefined => (value === 'ar' || value === 'fr' || value === 'en' ? value : undefined);

const describeIssues = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ');

export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`the config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = configFileSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`the config file ${path} is invalid: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

const envInt = (env: NodeJS.ProcessEnv, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name}=${raw} is not an integer from ${min} to ${max}`);
  return n;
};

/** `name:role:sha256` entries separated by commas. */
function envKeys(raw: string | undefined): ApiKeyEntry[] {
  if (!raw) return [];
  return raw.split(',').map((item, i) => {
    const [name, role, sha256, ...rest] = item.trim().split(':');
    const parsed = apiKeyEntrySchema.safeParse({ name, role, sha256 });
    if (rest.length > 0 || !parsed.success) {
      throw new ConfigError(`TAAWUN_API_KEYS entry ${i + 1} is not name:role:sha256 (role one of ${roles.join(', ')})${parsed.success ? '' : `: ${describeIssues(parsed.error)}`}`);
    }
    return parsed.data;
  });
}

/**
 * The configuration from the file (`file`, else `TAAWUN_CONFIG`, else none)
 * and the environment. Throws `ConfigError` naming the file or variable at fault.
 */
export function loadServerConfig(options: { env?: NodeJS.ProcessEnv; file?: string } = {}): ServerConfig {
  const env = options.env ?? process.env;
  const configFile = options.file ?? (env.TAAWUN_CONFIG || undefined);
  const file = configFile ? readConfigFile(configFile) : {};
  const base = configFile ? dirname(resolve(configFile)) : process.cwd();
  const fileLimits = file.limits ?? {};
  const limits: HttpLimits = {
    ...defaultLimits,
    ...fileLimits,
    transport: { ...defaultLimits.transport, ...fileLimits.transport },
  };
  const overrides: Partial<Record<keyof HttpLimits, number | undefined>> = {
    maxBodyBytes: envInt(env, 'TAAWUN_MAX_BODY_BYTES', 1),
    requestTimeoutMs: envInt(env, 'TAAWUN_REQUEST_TIMEOUT_MS', 1),
    maxPageSize: envInt(env, 'TAAWUN_MAX_PAGE_SIZE', 1),
    requestsPerMinute: envInt(env, 'TAAWUN_REQUESTS_PER_MINUTE', 1),
    maxConcurrentReplays: envInt(env, 'TAAWUN_MAX_CONCURRENT_REPLAYS', 1),
  };
  const merged = { ...limits, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) } as HttpLimits;
  const keys = [...(file.keys ?? []), ...envKeys(env.TAAWUN_API_KEYS)];
  const corsOrigins = env.TAAWUN_CORS_ORIGINS ? env.TAAWUN_CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean) : (file.corsOrigins ?? []);
  const database = env.TAAWUN_DATABASE || file.database || DEFAULT_DATABASE;
  return {
    host: env.TAAWUN_HOST || file.host || DEFAULT_HOST,
    port: envInt(env, 'TAAWUN_PORT', 0, 65_535) ?? file.port ?? DEFAULT_PORT,
    database: resolve(env.TAAWUN_DATABASE ? process.cwd() : base, database),
    corsOrigins,
    keys,
    limits: { ...merged, defaultPageSize: Math.min(merged.defaultPageSize, merged.maxPageSize) },
    ...(env.TAAWUN_INSTITUTE || file.institute ? { institute: env.TAAWUN_INSTITUTE || file.institute! } : {}),
    ...(languageOf(env.TAAWUN_LANGUAGE) ?? file.language ? { language: (languageOf(env.TAAWUN_LANGUAGE) ?? file.language)! } : {}),
    ...(configFile ? { configFile: resolve(configFile) } : {}),
  };
}

/** Write the file atomically, readable by its owner only (it holds key hashes). */
function writeConfigFile(path: string, config: ConfigFile): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/**
 * Create a key, add its hash to the config file (creating the file if needed)
 * and return the key itself: the only time it is shown.
 */
export function addApiKey(configPath: string, name: string, role: Role): { key: string; entry: ApiKeyEntry } {
  const config = existsSync(configPath) ? readConfigFile(configPath) : {};
  const keys = config.keys ?? [];
  if (keys.some((k) => k.name === name)) throw new ConfigError(`the config file ${configPath} already has a key named "${name}"`);
  const created = createApiKey(name, role);
  writeConfigFile(configPath, { ...config, keys: [...keys, created.entry] });
  return created;
}

/** Remove a key by name; true when there was one. */
export function revokeApiKey(configPath: string, name: string): boolean {
  const config = readConfigFile(configPath);
  const keys = config.keys ?? [];
  const kept = keys.filter((k) => k.name !== name);
  if (kept.length === keys.length) return false;
  writeConfigFile(configPath, { ...config, keys: kept });
  return true;
}

/**
 * On a first start: when the config file has no admin key, create one named
 * `admin` and return it so that it can be shown once. Otherwise undefined.
 */
export function ensureAdminKey(configPath: string): { key: string; entry: ApiKeyEntry } | undefined {
  const config = existsSync(configPath) ? readConfigFile(configPath) : {};
  if ((config.keys ?? []).some((k) => k.role === 'admin')) return undefined;
  let name = 'admin';
  for (let i = 2; (config.keys ?? []).some((k) => k.name === name); i++) name = `admin-${i}`;
  return addApiKey(configPath, name, 'admin');
}
