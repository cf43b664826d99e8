import type { OpenAPIHono } from '@hono/zod-openapi';
import { slugSchema } from '@taawun/domain';
import {
  isProjectionError,
  partnerHistoryProjection,
  partnerHistoryView,
  queryAgreementsRegister,
  queryPartnerHistory,
  queryYearlyActivityReport,
  agreementsRegisterProjection,
  recordIds,
  replay,
  replayThroughLens,
  resolveLens,
  storedModel,
  yearlyActivityReportProjection,
  currentGeneration,
  type AnswerSource,
  type AnyProjection,
  type ModelReader,
  type ReadModelSource,
} from '@taawun/projections';
import type { Context, MiddlewareHandler } from 'hono';
import { sendProblem, type AppEnv } from '../http/env.js';
import { problem } from '../http/problems.js';
import { answerReplays, hasLens, tooManyReplays, type ReplayLimiter } from '../http/replays.js';
import { roles } from '../security/api-keys.js';
import { requireRole } from '../security/middleware.js';
import { problemFromQueryError } from '../routes/queries.js';
import type { Html } from './html.js';
import { activityPage, agreementsPage, partnerListPage, partnerTimelinePage, type Lens, type PartnerRow } from './pages.js';

/**
 * The report for people: server-rendered HTML over the same read models as the
 * API, with the same time lens (`?asOf=&asKnownOn=`): from the stored read
 * models when the server has them and no lens is given, else by a replay of the
 * log, under the same cap on concurrent replays as the API. Any key may read
 * it; a browser is asked for it by Basic authentication (any user name, the key
 * as the password), since it cannot send a bearer header by itself. No script
 * runs in it; the Content-Security-Policy says so.
 */
export interface ReportRouteDeps {
  readonly source: ReadModelSource;
  readonly replays: ReplayLimiter;
}
export const REPORT_PATH = '/report';

const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const reportHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', contentSecurityPolicy);
  c.header('Cache-Control', 'no-store');
};

function lensOf(c: Context): Lens | Response {
  const asOf = c.req.query('asOf') || undefined;
  const asKnownOn = c.req.query('asKnownOn') || undefined;
  const lens = { ...(asOf ? { asOf } : {}), ...(asKnownOn ? { asKnownOn } : {}) };
  try {
    resolveLens(lens);
    return lens;
  } catch (e) {
    if (isProjectionError(e)) return sendProblem(c, problem('invalid-query', e.message, { fields: [e.message.split(':')[0]!] }));
    throw e;
  }
}

const render = async (c: Context, content: Html) => c.html(await content);

/** The partner list and where it came from: every partner's history, from one stored generation or one replay. */
async function partnerRows(source: ReadModelSource, lens: Lens): Promise<{ rows: PartnerRow[]; from: AnswerSource }> {
  const position = async () => (await source.store.lastPosition())?.toString() ?? null;
  const rowsOf = async (model: ModelReader) => {
    const rows: PartnerRow[] = [];
    for (const partnerId of await recordIds(model, 'partners')) {
      const history = await partnerHistoryView(model, partnerId);
      if (history) rows.push({ partnerId, history });
    }
    return rows;
  };
  if (hasLens(lens)) {
    const at = await position();
    const { model } = await replayThroughLens(source.store, partnerHistoryProjection, lens);
    return { rows: await rowsOf(model), from: { kind: 'replayed', reason: 'a time lens replays the log', position: at } };
  }
  const storage = source.storage;
  // A follower may commit while the list is read: read it again until one generation at one checkpoint gave all of it.
  for (let attempt = 1; storage && attempt <= 5; attempt++) {
    const active = await currentGeneration(storage, partnerHistoryProjection);
    if (!active) break;
    try {
      const rows = await rowsOf(storedModel(storage, partnerHistoryProjection, active));
      const now = await currentGeneration(storage, partnerHistoryProjection);
      if (attempt < 5 && (now?.generation !== active.generation || now.position !== active.position)) continue;
      return { rows, from: { kind: 'stored', generation: active.generation, position: active.position?.toString() ?? null } };
    } catch (e) {
      if (attempt < 5 && isProjectionError(e) && (e.code === 'model-changed' || e.code === 'generation-missing')) continue;
      throw e;
    }
  }
  const at = await position();
  return { rows: await rowsOf(await replay(source.store, partnerHistoryProjection)), from: { kind: 'replayed', reason: storage ? 'the model is not stored at this version' : 'no read-model storage given', position: at } };
}

export function registerReportRoutes(app: OpenAPIHono<AppEnv>, deps: ReportRouteDeps): void {
  const { source, replays } = deps;
  const readers = requireRole(roles, { basicChallenge: true });
  app.use(REPORT_PATH, reportHeaders, readers);
  app.use(`${REPORT_PATH}/*`, reportHeaders, readers);

  /** Answer a page from `projection`, in a replay slot when it replays the log. */
  const page = async (c: Context, projection: AnyProjection, lens: Lens, work: () => Promise<Response>): Promise<Response> => {
    const run = await replays.run(await answerReplays(source, projection, lens), work);
    return run.busy ? tooManyReplays(c, replays) : run.value;
  };

  app.get(REPORT_PATH, async (c) => {
    const lens = lensOf(c);
    if (lens instanceof Response) return lens;
    return page(c, partnerHistoryProjection, lens, async () => {
      const { rows, from } = await partnerRows(source, lens);
      const resolved = resolveLens(lens);
      return render(c, partnerListPage(rows, lens, { asOf: resolved.asOf ?? null, asKnownOn: resolved.asKnownOn ?? null, source: from }));
    });
  });

  app.get(`${REPORT_PATH}/partners/:partnerId`, async (c) => {
    const lens = lensOf(c);
    if (lens instanceof Response) return lens;
    const partnerId = c.req.param('partnerId');
    if (!slugSchema.safeParse(partnerId).success) return sendProblem(c, problem('invalid-request', `"${partnerId}" is not a partner id`, { fields: ['partnerId'] }));
    return page(c, partnerHistoryProjection, lens, async () => {
      const answer = await queryPartnerHistory(source, { partnerId }, lens);
      if (!answer.ok) return sendProblem(c, problemFromQueryError(answer.error));
      return render(c, partnerTimelinePage(answer.value, lens));
    });
  });

  app.get(`${REPORT_PATH}/activity`, async (c) => {
    const lens = lensOf(c);
    if (lens instanceof Response) return lens;
    return page(c, yearlyActivityReportProjection, lens, async () => {
      const answer = await queryYearlyActivityReport(source, {}, lens);
      if (!answer.ok) return sendProblem(c, problemFromQueryError(answer.error));
      return render(c, activityPage(answer.value, lens));
    });
  });

  app.get(`${REPORT_PATH}/agreements`, async (c) => {
    const lens = lensOf(c);
    if (lens instanceof Response) return lens;
    return page(c, agreementsRegisterProjection, lens, async () => {
      const answer = await queryAgreementsRegister(source, {}, lens);
      if (!answer.ok) return sendProblem(c, problemFromQueryError(answer.error));
      return render(c, agreementsPage(answer.value, lens));
    });
  });
}
