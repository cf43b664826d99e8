import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, taawun, temporaryFolder, type Served } from './support.js';

/*
 * One answer, three presentations: the CLI's JSON, the HTTP API and the HTML
 * report give the same answer object for the same question, because the one
 * query service computes it and they only present it.
 */

let folder: { path: string; remove: () => Promise<void> };
let server: Served;
let key: string;
const store = () => ['--store', `sqlite:${folder.path}/taawun.db`];

beforeAll(async () => {
  folder = await temporaryFolder('one-answer');
  expect((await taawun(['seed', ...store()], { cwd: folder.path })).code).toBe(0);
  const added = await taawun(['keys', 'add', 'auditor-1', '--role', 'auditor', '--config', `${folder.path}/server.json`], { cwd: folder.path });
  key = added.stdout.trim();
  server = await serve(['serve', ...store(), '--config', `${folder.path}/server.json`], { cwd: folder.path });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await folder.remove();
});

const api = async (path: string) => {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as { readModel: string; result: unknown; source: { kind: string } };
};

describe('the same question through the CLI, the API and the report', () => {
  it("ENM's history: taawun history --format json and GET /read-models/partner-history give the same result", async () => {
    const cli = JSON.parse((await taawun(['history', 'enm-france', '--format', 'json', ...store()], { cwd: folder.path })).stdout);
    const http = await api('/read-models/partner-history?partnerId=enm-france');
    expect(http.readModel).toBe('partner-history');
    expect(cli.result).toEqual(http.result);
  });

  it('the report page of ENM is rendered from that same answer: every entry, in its order, with its date and what happened', async () => {
    const { result } = await api('/read-models/partner-history?partnerId=enm-france');
    const entries = (result as { entries: { record: { type: string; id: string }; date: { edtf: string; label: string }; what: string }[] }).entries;
    const page = await fetch(`${server.url}/report/partners/enm-france`, { headers: { authorization: `Basic ${Buffer.from(`me:${key}`).toString('base64')}` } });
    const html = await page.text();
    const shown = [...html.matchAll(/<li class="entry" data-edtf="([^"]*)"[^>]*data-record="([^"]*)">\s*<div><time[^>]*>([^<]*)<\/time><span class="what">([^<]*)<\/span>/g)].map((m) => ({
      edtf: m[1],
      record: m[2],
      label: m[3],
      what: m[4],
    }));
    expect(shown).toEqual(entries.map((e) => ({ edtf: e.date.edtf, record: `${e.record.type}:${e.record.id}`, label: e.date.label, what: e.what })));
  });

  it('the report pages show the full fact stored: the agreements\' place, signatories and areas; the cohorts and format of ENM\'s courses', async () => {
    const get = async (path: string) =>
      (await fetch(`${server.url}${path}`, { headers: { authorization: `Basic ${Buffer.from(`me:${key}`).toString('base64')}` } })).text();
    const agreements = await get('/report/read-models/agreements-register');
    expect(agreements).toContain('<li>place: Rome</li>');
    expect(agreements).toContain('<li>signatories: Director-General of the institute (institute); Giorgio Lattanzi, President of the school (ssm-italy)</li>');
    expect(agreements).toContain('<li>areas of cooperation: Joint training and research programmes; Meetings and exchange of visits; Hosting trainers; Preparing and publishing scientific texts and materials</li>');
    const enm = await get('/report/partners/enm-france');
    expect(enm).toContain('<li>cohorts: 39, 40</li>');
    expect(enm).toContain('<li>format: remote</li>');
  });

  it('an unknown partner or period: 404 naming the valid keys, as the CLI says it', async () => {
    const response = await fetch(`${server.url}/read-models/agreements-register?partnerId=nope`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(404);
    const problem = (await response.json()) as { code: string; detail: string };
    const cli = await taawun(['report', 'agreements', '--partner', 'nope', ...store()], { cwd: folder.path });
    expect([problem.code, `taawun: ${problem.detail} (unknown-key)\n`]).toEqual(['not-found', cli.stderr]);
  });

  it('every list the CLI prints is the API\'s answer: partners, agreements, sessions, study visits, publications', async () => {
    for (const [args, path] of [
      [['partners'], '/read-models/partners'],
      [['report', 'agreements'], '/read-models/agreements-register'],
      [['report', 'sessions', '--partner', 'giz'], '/read-models/sessions?partnerId=giz'],
      [['report', 'study-visits'], '/read-models/study-visits'],
      [['report', 'publications'], '/read-models/publications'],
      [['report', 'meetings', '--period', 'by-2022'], '/read-models/meetings?period=by-2022'],
      [['report', 'publication-status', '--on', '2018-12-31'], '/read-models/publication-status?on=2018-12-31'],
      [['query', 'yearly-activity-report', '--param', 'period=2018'], '/read-models/yearly-activity-report?period=2018'],
    ] as const) {
      const cli = JSON.parse((await taawun([...args, '--format', 'json', ...store()], { cwd: folder.path })).stdout);
      expect(cli.result, args.join(' ')).toEqual((await api(path)).result);
    }
  });
});
