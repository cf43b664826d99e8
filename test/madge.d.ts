// madge 8 ships no types: the part of its API the architecture tests use.
declare module 'madge' {
  interface MadgeConfig {
    baseDir?: string;
    fileExtensions?: string[];
    excludeRegExp?: RegExp[];
    tsConfig?: string | { compilerOptions: Record<string, unknown> };
    detectiveOptions?: Record<string, Record<string, boolean>>;
  }
  interface MadgeInstance {
    /** Each file and the files it imports. */
    obj(): Record<string, string[]>;
    /** Each cycle as the files on it. */
    circular(): string[][];
    /** Imports that were not resolved to a file. */
    warnings(): { skipped: string[] };
  }
  export default function madge(path: string | string[], config?: MadgeConfig): Promise<MadgeInstance>;
}
