import type { OpenAPIHono } from '@hono/zod-openapi';
import { slugSchema } from '@taawun/domain';
import {
  isProjectionError,
  partnerHistoryProjection,
  partnerHistoryView,
  queryAgreementsRegister,
  queryPartnerHistory,
  queryYearlyActivityReport,
  replay,
  replayThroughLens,
  resolveLens,
  type ReadModelSource,
} from '@taawun/projections';
import type { Context, MiddlewareHandler } from 'hono';
import { sendProblem, type AppEnv } from '../http/env.js';
import { problem } from '../http/problems.js';
import { roles } from '../security/api-keys.js';
import { requireRole } from '../security/middleware.js';
import { problemFromQueryError } from '../routes/queries.js';
import type { Html } from './html.js';
import { activityPage, agreementsPage, partnerListPage, partnerTimelinePage, type Lens, type PartnerRow } from './pages.js';

/**
 * The report for people: server-rendered HTML over the same read models as the
 * API, with the same time lens (`?asOf=&asKnownOn=`). Any key may read it; a
 * browser is asked for it by Basic authentication (any user name, the key as
 * the password), since it cannot send a bearer header by itself. No script runs
 * in it; the Content-Security-Policy says so.
 */
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

export function registerReportRoutes(app: OpenAPIHono<AppEnv>, source: ReadModelSource): void {
  const readers = requireRole(roles, { basicChallenge: true });
  app.use(REPORT_PATH, reportHeaders, readers);
  app.use(`${REPORT_PATH}/*`, reportHeaders, readers);

  app.get(REPORT_PATH, async (c) => {
    const lens = lensOf(c);
    if (lens instanceof Response) return lens;
    // The partner list is the partner-history read model of every registered partner
    // (the domain refuses activities with unregistered partners, so that is all of them).
    const lensed = lens.asOf !== undefined || lens.asKnownOn !== undefined;
    const model = lensed ? (await replayThroughLens(source.store, partnerHistoryProjection, lens)).model : await replay(source.store, partnerHistoryProjection);
    const ids = new Set<string>();
    for await (const event of source.store.readAll({ filter: { types: ['PartnerRegistered'] } })) {
      const partnerId = (event.data as { partnerId?: unknown }).partnerId;
      if (typeof partnerId === 'string') ids.add(partnerId);
    }
    const rows: PartnerRow[] = [];
    for (const partnerId of [...ids].sort()) {
      const history = await partnerHistoryView(model, partnerId);
      if (history) rows.push({ partnerId, history });
    }
    const resolved = resolveLens(lens);
    const position = (await source.store.lastPosition())?.toString() ?? null;
    return render(c, partnerListPage(rows, lens, { asOf: resolved.asOf ?? null, asKnownOn: resolved.asKnownOn ?? null, source: { kind: 'replayed', reason: 'report', position } }));
  });

  app.get(`${REPORT_PATH}/partners/:partnerId`, async (c) => {
    const lens = lensOf(c);
    if (lens instanceof Response) return lens;
    const partnerId = c.req.param('partnerId');
    if (!slugSchema.safeParse(partnerId).success) return sendProblem(c, problem('invalid-request', `"${partnerId}" is not a partner id`, { fields: ['partnerId'] }));
    const answer = await queryPartnerHistory(source, { partnerId }, lens);
    if (!answer.ok) return sendProblem(c, problemFromQueryError(answer.error));
    return render(c, partnerTimelinePage(answer.value, lens));
  });

  app.get(`${REPORT_PATH}/activity`, async (c) => {
    const lens = lensOf(c);
    if (lens instanceof Response) return lens;
    const answer = await queryYearlyActivityReport(source, {}, lens);
    if (!answer.ok) return sendProblem(c, problemFromQueryError(answer.error));
    return render(c, activityPage(answer.value, lens));
  });

  app.get(`${REPORT_PATH}/agreements`, async (c) => {
    const lens = lensOf(c);
    if (lens instanceof Response) return lens;
    const answer = await queryAgreementsRegister(source, {}, lens);
    if (!answer.ok) return sendProblem(c, problemFromQueryError(answer.error));
    return render(c, agreementsPage(answer.value, lens));
  });
}
