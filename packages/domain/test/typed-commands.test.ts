import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * `handle` is typed: the fixture's wrong command shapes are compile errors.
 * The fixture is compiled here with the TypeScript compiler API, as a user's
 * code importing `@taawun/domain` would be (test files are outside `tsc -b`).
 */
const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'fixtures', 'typed-commands.ts');
const directive = '// @ts-expect-error';

function compilerOptions(): ts.CompilerOptions {
  const config = ts.getParsedCommandLineOfConfigFile(join(here, '..', 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error('cannot read packages/domain/tsconfig.json');
  const { rootDir: _rootDir, outDir: _outDir, tsBuildInfoFile: _buildInfo, ...options } = config.options;
  // The package's sources, through the same export condition the tests use.
  return { ...options, noEmit: true, composite: false, incremental: false, declaration: false, declarationMap: false, customConditions: ['@taawun/source'] };
}

/** Compile the fixture (its text possibly changed) and list its diagnostics as `line: message`. */
function compile(text: string, options: ts.CompilerOptions, oldProgram?: ts.Program): { program: ts.Program; errors: { line: number; message: string }[] } {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === fixture ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest);
  const program = ts.createProgram({ rootNames: [fixture], options, host, ...(oldProgram ? { oldProgram } : {}) });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => ({
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    message: `${d.file ? d.file.fileName.slice(d.file.fileName.indexOf('packages/')) : ''} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
  }));
  return { program, errors };
}

describe('handle takes a typed command', () => {
  const source = readFileSync(fixture, 'utf8');
  const lines = source.split('\n');
  const wrongLines = lines.flatMap((line, i) => (line.trim().startsWith(directive) ? [i + 2] : []));

  it('rejects each wrong shape at compile time, and compiles the correct commands', () => {
    expect(wrongLines.length, 'wrong shapes in the fixture').toBe(8);
    const options = compilerOptions();
    // As written: every directive is used (an unused one is error TS2578) and the correct commands compile.
    const asWritten = compile(source, options);
    expect(asWritten.errors).toEqual([]);
    // Without the directives: an error on each wrong shape's own line, and nowhere else.
    const bare = compile(source.replaceAll(directive, '// (was expected)'), options, asWritten.program);
    expect([...new Set(bare.errors.map((e) => e.line))].sort((a, b) => a - b), bare.errors.map((e) => `${e.line}: ${e.message}`).join('\n')).toEqual(wrongLines);
  }, 60_000);
});
