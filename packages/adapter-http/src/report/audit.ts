import type { Answer, AuditEntry, AuditTrail } from '@taawun/projections';
import type { Language } from '@taawun/domain';
import { dateText, eventTypeText, lensLine, message, recordTypeText, type MessageId } from '@taawun/projections/presentation';
import { html } from 'hono/html';
import { page, type Html, type Letterhead } from './html.js';
import { chrome, langOf, lensForm, pager, type Lens } from './pages.js';

/**
 * The auditor's view of one record: every event that made it, in order, with
 * who recorded it, when, from which source, its business date and reason; the
 * corrections of each event beside it with their reasons and what they
 * changed; personal data redacted, and said to be erased once it is. The
 * audit-trail read model answers all of it; this only lays it out.
 */
const json = (value: unknown): string => JSON.stringify(value, null, 1);

/** A message with the time (`\u0000`) and the recorder (`\u0001`) put in as markup, in the language's own word order. */
function recordedBy(text: string, at: Html, by: Html): Html {
  const parts = text.split(/(\u0000|\u0001)/);
  return html`${parts.map((p) => (p === '\u0000' ? at : p === '\u0001' ? by : p))}`;
}

function auditEntry(e: AuditEntry, lang: Language): Html {
  const t = (id: MessageId, values?: Readonly<Record<string, string | number>>) => message(lang, id, values);
  const date = (d: { label: string; edtf: string }) => dateText(d, lang);
  return html`<li class="audit-event" id="event-${e.eventId}" data-event="${e.eventId}" data-position="${e.position}">
<div><span class="tag">#${e.position}</span> <strong class="what" data-type="${e.type}">${eventTypeText(e.type, lang)}</strong> <span class="meta">${t('audit.revision', { version: String(e.schemaVersion), revision: String(e.revision) })}</span></div>
<div class="meta">${recordedBy(t('audit.recorded', { at: '\u0000', by: '\u0001' }), html`<time datetime="${e.recordedAt}">${e.recordedAt}</time>`, html`<strong class="by">${e.recordedBy}</strong>`)}${e.commandType ? ` (${e.commandType})` : ''} · ${t('audit.source')} <span class="source">${e.sourceRef ?? t('audit.notGiven')}</span>${
    e.businessDate ? html` · ${t('audit.businessDate')} ${e.correctedBusinessDate ? html`<del>${date(e.businessDate)}</del> ${date(e.correctedBusinessDate)}` : date(e.businessDate)}` : ''
  }</div>
${e.reason ? html`<div class="reason">${t('audit.reason')} ${e.reason}</div>` : ''}
${e.corrects ? html`<div class="meta">${t('audit.corrects')} ${eventTypeText(e.corrects.type, lang)} <a href="#event-${e.corrects.eventId}">${e.corrects.eventId}</a></div>` : ''}
${e.problem ? html`<div class="problem">${e.problem}</div>` : ''}
<details><summary>${t('audit.dataAsWritten')}</summary><pre>${json(e.data)}</pre>${e.correctedData !== undefined && e.correctedData !== null ? html`<p class="meta">${t('audit.asReadToday')}</p><pre>${json(e.correctedData)}</pre>` : ''}</details>
${
  e.corrections.length > 0
    ? html`<ol class="corrections">${e.corrections.map(
        (c) => html`<li class="correction" data-event="${c.eventId}">${recordedBy(t('audit.corrected', { at: '\u0000', by: '\u0001' }), html`<time datetime="${c.recordedAt}">${c.recordedAt}</time>`, html`<strong>${c.recordedBy}</strong>`)} <span class="reason">${c.reason}</span>
<ul>${c.changes.map((ch) => html`<li><code>${ch.field}</code>: <del>${json(ch.from)}</del> → ${json(ch.to)}</li>`)}</ul></li>`,
      )}</ol>`
    : ''
}
</li>`;
}

export function auditPage(answer: Answer<AuditTrail>, lens: Lens, hidden: Readonly<Record<string, string>>, letterhead?: Letterhead): Html {
  const { stream, record, personalData, events } = answer.result;
  const lang = langOf(lens);
  const personal = message(lang, ({ erased: 'audit.erased', redacted: 'audit.redacted', shown: 'audit.shown' } as const)[personalData]);
  // The events are the record's own words (types, data); the page around them is in the reader's language.
  return page({
    ...chrome(lens),
    title: `${lang === 'en' ? 'Audit trail' : message(lang, 'report.auditTrail')}: ${record ? `${recordTypeText(record.type, lang)} ${record.id}` : stream}`,
    subtitle: lensLine(answer, lang),
    ...(letterhead ? { letterhead } : {}),
    body: html`${lensForm(lens, hidden)}
<p class="meta">${message(lang, 'audit.stream')} <code>${stream}</code> · ${message(lang, 'audit.events', { n: answer.page?.total ?? events.length })} · <span class="personal-data" data-personal-data="${personalData}">${personal}</span></p>
<ol class="audit" aria-label="${lang === 'en' ? 'Events' : message(lang, 'audit.events', { n: events.length })}">
${events.map((e) => auditEntry(e, lang))}
</ol>
${pager(answer.page, events.length, lens, hidden, false)}`,
  });
}
