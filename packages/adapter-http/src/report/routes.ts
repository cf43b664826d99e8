import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ChainCheckpoint, Language, MultilingualText, Result } from '@taawun/domain';
import { languageFromAcceptLanguage, message, parseLanguage, queryErrorText } from '@taawun/projections/presentation';
import {
  MAX_LINES,
  agreementsRegisterReadModel,
  auditTrailReadModel,
  partnerHistoryReadModel,
  partnersReadModel,
  yearlyActivityReportReadModel,
  type AnyReadModel,
  type Answer,
  type QueryError,
  type QueryOptions,
  type QueryService,
} from '@taawun/projections';
import type { Context, MiddlewareHandler } from 'hono';
import { sendProblem, type AppEnv } from '../http/env.js';
import { maySeePersonalData } from '../http/personal-data.js';
import { problem } from '../http/problems.js';
import { tooManyReplays, type ReplayLimiter } from '../http/replays.js';
import { problemFromQueryError } from '../routes/queries.js';
import { MAX_OFFSET, queryInteger } from '../http/query-integers.js';
import { roles } from '../security/api-keys.js';
import { requireRole } from '../security/middleware.js';
import { auditPage } from './audit.js';
import { COMPARE_PATH, comparePage, type CompareForm } from './compare.js';
import { htmlToPdf } from './browser.js';
import type { Html, Letterhead } from './html.js';
import { AUDIT_PATH } from './table.js';
import { activityPage, LINES_PER_LIST, LINES_PER_PERIOD, periodPage } from './activity.js';
import { answerPage, partnerTimelinePage, readModelIndex, reportErrorPage, type Lens } from './pages.js';

/**
 * The report for people: server-rendered HTML over the query service, the same
 * answers as the API, with the same time lens (`?asOf=&asKnownOn=`) and the
 * same cap on concurrent replays. Any key may read it (a read model holding
 * personal data, only the keys that record people); a browser is asked for it
 * by Basic authentication (any user name, the key as the password), since it
 * cannot send a bearer header by itself. No script runs in it; the
 * Content-Security-Policy says so.
 */
export interface ReportOptions {
  /** The institute's name on the letterhead of printed pages and PDFs: one name, or a name per language. */
  readonly institute?: string | MultilingualText;
  /** The institute-wide language of the report when neither `?lang=` nor the browser's `Accept-Language` names one taawun speaks (default English). */
  readonly language?: Language;
  /** The log's hash chain (SQLite, PostgreSQL): its head and hash go on the letterhead. */
  readonly chain?: { checkpoint(): Promise<ChainCheckpoint> };
}
export interface ReportRouteDeps extends ReportOptions {
  readonly queries: QueryService;
  readonly replays: ReplayLimiter;
  readonly now: () => Date;
}
export const DEFAULT_INSTITUTE = 'taawun';
export const REPORT_PATH = '/report';
const PAGE_SIZE = 100;

const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const reportHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', contentSecurityPolicy);
  c.header('Cache-Control', 'no-store');
};

/**
 * The time lens of a report page, and the language it is read in: `?lang=ar|fr|en`,
 * else the browser's `Accept-Language`, else the institute's default.
 */
const lensOf = (c: Context, fallback: Language = 'en'): Lens => {
  const asOf = c.req.query('asOf') || undefined;
  const asKnownOn = c.req.query('asKnownOn') || undefined;
  const chosen = parseLanguage(c.req.query('lang'));
  const lang = chosen ?? languageFromAcceptLanguage(c.req.header('accept-language'), fallback);
  const url = new URL(c.req.url);
  return { ...(asOf ? { asOf } : {}), ...(asKnownOn ? { asKnownOn } : {}), lang, langInQuery: chosen !== null, here: `${url.pathname}${url.search}` };
};

/** The time lens alone, as the query service reads it. */
const timeLens = (lens: Lens) => ({ ...(lens.asOf ? { asOf: lens.asOf } : {}), ...(lens.asKnownOn ? { asKnownOn: lens.asKnownOn } : {}) });

const offsetSchema = queryInteger(0, MAX_OFFSET, 'offset');

/** The page's first row: read as the API reads it (decimal digits, bounded); anything else is the first page. */
const offsetOf = (c: Context): number => {
  const offset = offsetSchema.safeParse(c.req.query('offset'));
  return offset.success ? offset.data : 0;
};

export function registerReportRoutes(app: OpenAPIHono<AppEnv>, deps: ReportRouteDeps): void {
  const { queries, replays } = deps;
  const pdfQueue = new SerialQueue();
  const readers = requireRole(roles, { basicChallenge: true });
  app.use(REPORT_PATH, reportHeaders, readers);
  app.use(`${REPORT_PATH}/*`, reportHeaders, readers);

  /**
   * Ask the query service (in a replay slot when the answer replays the log)
   * with `ask`, which names the read model and its typed parameters, and render its answer.
   */
  const answer = async <R>(
    c: Context<AppEnv>,
    model: AnyReadModel,
    ask: (options: QueryOptions) => Promise<Result<Answer<R>, QueryError>>,
    render: (answer: Answer<R>, lens: Lens, letterhead: Letterhead) => Html,
  ): Promise<Response> => {
    const lens = lensOf(c, deps.language);
    if (model.personalData === 'always' && !maySeePersonalData(c.get('principal'))) {
      return sendProblem(c, problem('forbidden', 'personal data is shown to admin and clerk keys only'));
    }
    const page = model.list === null ? undefined : { offset: offsetOf(c), limit: PAGE_SIZE };
    const answered = await ask({ lens: timeLens(lens), replays: replays.forKey(c.get('principal')?.name), ...(page ? { page } : {}) });
    if (!answered.ok) {
      if (answered.error.code === 'replays-busy') return tooManyReplays(c, replays);
      // For people: a page saying what to type, the form filled back in (the API answers problem+json).
      const { status } = problemFromQueryError(answered.error);
      const { asOf: _a, asKnownOn: _k, offset: _o, format: _f, lang: _l, ...hidden } = c.req.query();
      return c.html(await reportErrorPage(answered.error, lens, hidden), status);
    }
    const head = await deps.chain?.checkpoint();
    const letterhead: Letterhead = {
      institute: deps.institute ?? DEFAULT_INSTITUTE,
      printedAt: deps.now(),
      position: answered.value.source.position,
      head: head && head.position > 0n ? { position: head.position.toString(), headHash: head.headHash } : null,
    };
    const pageHtml = await render(answered.value, lens, letterhead);
    if (c.req.query('format') !== 'pdf') return c.html(pageHtml);
    // One PDF at a time: each launches a browser.
    const pdf = await pdfQueue.run(() => htmlToPdf(pageHtml.toString()));
    return c.body(new Uint8Array(pdf), 200, { 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="${answered.value.readModel}.pdf"` });
  };

  /** A report that does not exist: a page for people, in their language, naming the reports there are. */
  const noSuchReport = async (c: Context<AppEnv>, name: string): Promise<Response> => {
    const asked = await queries.query(name, {});
    const error = asked.ok ? { code: 'unknown-read-model', message: `no report ${name}` } : asked.error;
    return c.html(await reportErrorPage(error, lensOf(c, deps.language), {}), 404);
  };

  // The root leads people to the report (the API's routes are under their own paths).
  app.get('/', (c) => c.redirect(REPORT_PATH, 302));

  app.get(REPORT_PATH, (c) =>
    answer(c, partnersReadModel, (options) => queries.query(partnersReadModel, {}, options), (partners, lens, letterhead) => {
      const dedicated = new Set(['partners', 'partner-history', 'yearly-activity-report', 'agreements-register']);
      const index = queries.list().filter((m) => !dedicated.has(m.name) && queries.get(m.name)!.params.safeParse({}).success);
      return answerPage(partners, lens, { params: {}, list: 'partners', title: message(lens.lang ?? 'en', 'report.nav.partners'), after: readModelIndex(index, lens), letterhead });
    }),
  );

  app.get(`${REPORT_PATH}/partners/:partnerId`, (c) => {
    const params = { partnerId: c.req.param('partnerId') };
    return answer(c, partnerHistoryReadModel, (options) => queries.query(partnerHistoryReadModel, params, options), partnerTimelinePage);
  });

  /**
   * The yearly activity, or one period of it (`?period=2018`, its next lines `&linesFrom=25`, `&lines=` a page):
   * bounded pages however busy the institute, each asking for the lines it shows. Printed (`format=pdf`), a
   * period's page holds every line the read model gives at once (`MAX_LINES` a list): paper has no next link.
   */
  const activity = (c: Context<AppEnv>, period: string | undefined, asked: { lines?: string | undefined; linesFrom?: string | undefined }) => {
    // These pages show a period's totals and lines, not its figures by partner: they ask for none (`partners: 0`).
    if (period === undefined) return answer(c, yearlyActivityReportReadModel, (options) => queries.query(yearlyActivityReportReadModel, { lines: LINES_PER_PERIOD, partners: 0 }, options), activityPage);
    const lines = asked.lines ?? (c.req.query('format') === 'pdf' ? MAX_LINES : LINES_PER_LIST);
    return answer(
      c,
      yearlyActivityReportReadModel,
      (options) => queries.query(yearlyActivityReportReadModel, { period, lines, partners: 0, ...(asked.linesFrom === undefined ? {} : { linesFrom: asked.linesFrom }) }, options),
      // The read model has checked `lines` and `linesFrom`: whole numbers in range.
      (report, lens, letterhead) => periodPage(report, period, lens, letterhead, { from: Number(asked.linesFrom ?? 0), size: Number(lines) }),
    );
  };
  const linesAsked = (query: (name: string) => string | undefined) => ({ lines: query('lines') || undefined, linesFrom: query('linesFrom') || undefined });
  app.get(`${REPORT_PATH}/activity`, (c) => activity(c, c.req.query('period') || undefined, linesAsked((name) => c.req.query(name))));

  app.get(`${REPORT_PATH}/agreements`, (c) =>
    answer(
      c,
      agreementsRegisterReadModel,
      (options) => queries.query(agreementsRegisterReadModel, {}, options),
      (register, lens, letterhead) => answerPage(register, lens, { params: {}, list: 'agreements', title: message(lens.lang ?? 'en', 'report.title.agreements'), className: 'agreements', letterhead }),
    ),
  );

  /** The audit trail of one record (`record`, `recordType` and `recordId`, or `stream`), personal data always redacted here. */
  app.get(AUDIT_PATH, (c) => {
    const { asOf: _a, asKnownOn: _k, offset: _o, format: _f, personalData: _p, lang: _l, ...params } = c.req.query();
    const parsed = auditTrailReadModel.params.safeParse({ ...params, personalData: 'redact' });
    if (!parsed.success) {
      const error = { code: 'invalid-query', message: parsed.error.issues.map((i) => i.message).join('; '), fields: parsed.error.issues.map((i) => i.path.join('.')), parameters: ['record', 'recordType', 'recordId', 'stream'] };
      return c.html(reportErrorPage(error, lensOf(c, deps.language), params), 400);
    }
    return answer(c, auditTrailReadModel, (options) => queries.query(auditTrailReadModel, parsed.data, options), (trail, lens, letterhead) => auditPage(trail, lens, params, letterhead));
  });

  /** One report as known on two dates (`from`, `to`; `asOf` optional; the read model's parameters beside them). */
  app.get(`${COMPARE_PATH}/:name`, async (c) => {
    const model = queries.get(c.req.param('name'));
    if (!model) return noSuchReport(c, c.req.param('name'));
    const { from = '', to = '', asOf = '', format: _f, lang: _l, ...params } = c.req.query();
    const form: CompareForm = { name: model.name, from, to, asOf, params };
    const { lang, here } = lensOf(c, deps.language);
    const view = { ...(lang ? { lang } : {}), ...(here ? { here } : {}) };
    if (model.personalData === 'always' && !maySeePersonalData(c.get('principal'))) return sendProblem(c, problem('forbidden', 'personal data is shown to admin and clerk keys only'));
    if (!from || !to) return c.html(await comparePage(null, form, view));
    const compared = await queries.compare(model.name, params, { knownOn: [from, to], ...(asOf ? { asOf } : {}), replays });
    if (!compared.ok) {
      if (compared.error.code === 'replays-busy') return tooManyReplays(c, replays);
      // The date typed wrongly, said again with what to type.
      const typed = { asKnownOn: [from, to].find((day) => !queries.checkLens({ asKnownOn: day }).ok) ?? from, ...(asOf ? { asOf } : {}) };
      return c.html(await comparePage(null, form, { ...view, error: queryErrorText(compared.error, lang ?? 'en', typed) }), problemFromQueryError(compared.error).status);
    }
    return c.html(await comparePage(compared.value, form, view));
  });

  /** Any read model, the user's own included, as its presentation's table: its parameters are the query's, parsed by the service. */
  app.get(`${REPORT_PATH}/read-models/:name`, (c) => {
    const model = queries.get(c.req.param('name'));
    if (!model) return noSuchReport(c, c.req.param('name'));
    const { asOf: _a, asKnownOn: _k, offset: _o, format: _f, lang: _l, ...params } = c.req.query();
    // The yearly report has its own pages (the chart, a period's lines), bounded however busy the institute.
    if (model.name === yearlyActivityReportReadModel.name && Object.keys(params).every((name) => ['period', 'lines', 'linesFrom'].includes(name)) && (params['period'] || Object.keys(params).length === 0)) {
      return activity(c, params['period'] || undefined, linesAsked((name) => params[name]));
    }
    return answer(c, model, (options) => queries.query(model.name, params, options), (answered, lens, letterhead) => answerPage(answered, lens, { params, list: model.list, letterhead }));
  });
}

/** Runs one task at a time, in order. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
