import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * A client generated from the served OpenAPI document (with openapi-typescript,
 * as an institute's developer would) knows what each route answers: reading a
 * partner history's entries, the agreements register or a command's answer
 * compiles, and reading a field that does not exist does not. If a response
 * fell back to `unknown` or an open record, the reads would not compile; if it
 * fell back to `any`, the expected errors would not happen.
 */

const directive = '// @ts-expect-error';

const client = `import type { components, paths } from './api.js';

type Json<P extends keyof paths, M extends 'get' | 'post'> = NonNullable<paths[P][M]> extends { responses: { 200: { content: { 'application/json': infer A } } } } ? A : never;

type History = Json<'/read-models/partner-history', 'get'>;
type Entry = paths['/read-models/partner-history']['get']['responses'][200]['content']['application/json']['result']['entries'][number];
export const entryLabel = (entry: Entry): string => entry.date.label;
export const entryYearUnknown = (entry: Entry): boolean => entry.date.yearUnknown;
export const partnerId = (history: History): string => history.result.partner.partnerId;
export const nextOffset = (history: History): number | null => history.page === null ? null : history.page.nextOffset;
// @ts-expect-error an entry has no such field
export const noSuchEntryField = (entry: Entry) => entry.noSuchField;
// @ts-expect-error a date view has no such field
export const noSuchDateField = (entry: Entry) => entry.date.century;

type Agreement = paths['/read-models/agreements-register']['get']['responses'][200]['content']['application/json']['result']['agreements'][number];
export const agreementId = (agreement: Agreement): string => agreement.agreementId;
export const signedOn = (agreement: Agreement): string => agreement.signedOn.label;
// @ts-expect-error an agreement has no such field
export const noSuchAgreementField = (agreement: Agreement) => agreement.signedBy;

type Accepted = paths['/commands/register-partner']['post']['responses'][200]['content']['application/json'];
export const position = (accepted: Accepted): string => accepted.events[0]!.position;
export const revision = (accepted: Accepted): number => accepted.revision;
// @ts-expect-error the answer to a command has no such field
export const noSuchAcceptedField = (accepted: Accepted) => accepted.partnerId;

type Body = NonNullable<paths['/commands/register-partner']['post']['requestBody']>['content']['application/json'];
export const body: Body = { partnerId: 'enm-france', name: { fr: 'École nationale de la magistrature' }, kind: 'school' };
// @ts-expect-error the path names the command: its body has no type
export const typed: Body = { type: 'RegisterPartner', partnerId: 'enm-france', name: { fr: 'ENM' }, kind: 'school' };
// @ts-expect-error a partner kind outside the domain's list
export const unknownKind: Body = { partnerId: 'enm-france', name: { fr: 'ENM' }, kind: 'club' };

type Refused = paths['/commands/register-partner']['post']['responses'][422]['content']['application/problem+json'];
export const problemCode = (problem: Refused): components['schemas']['Problem']['code'] => problem.code;
// @ts-expect-error a problem code is one of the problem types
export const noSuchCode: Refused['code'] = 'no-such-problem';
`;

let server: TestServer;
let folder: string;
beforeAll(async () => {
  server = await startTestServer();
  folder = mkdtempSync(join(tmpdir(), 'taawun-client-'));
});
afterAll(async () => {
  await server.close();
  rmSync(folder, { recursive: true, force: true });
});

const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  noUncheckedIndexedAccess: true,
  skipLibCheck: true,
  types: [],
};

/** Compile the client (its text possibly changed): its diagnostics as `line: message`. */
function compile(file: string, text: string): { line: number; message: string }[] {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => (name === file ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest));
  const program = ts.createProgram({ rootNames: [file], options, host });
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    message: `${d.file?.fileName.slice(folder.length + 1) ?? ''} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
  }));
}

describe('a client generated from the OpenAPI document', () => {
  it('reads what the routes answer, typed: a partner history entry, an agreement, a command accepted; nothing else', async () => {
    const response = await server.request('/openapi.json', { as: null });
    expect(response.status).toBe(200);
    const types = astToString(await openapiTS(await response.json(), { silent: true }));
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(folder, 'api.ts'), types);
    const file = join(folder, 'client.ts');
    writeFileSync(file, client);

    const wrongLines = client.split('\n').flatMap((line, i) => (line.trim().startsWith(directive) ? [i + 2] : []));
    expect(wrongLines.length, 'wrong reads in the client').toBe(7);
    // As written: every expected error happens (an unused directive is error TS2578) and every typed read compiles.
    const asWritten = compile(file, client);
    expect(asWritten.map((e) => `${e.line}: ${e.message}`)).toEqual([]);
    // Without the directives: an error on each wrong read's own line, and nowhere else.
    const bare = compile(file, client.replaceAll(directive, '// (was expected)'));
    expect([...new Set(bare.map((e) => e.line))].sort((a, b) => a - b), bare.map((e) => `${e.line}: ${e.message}`).join('\n')).toEqual(wrongLines);
  }, 60_000);
});
