import type { Answer, AuditEntry, AuditTrail } from '@taawun/projections';
import { lensLine, message } from '@taawun/projections/presentation';
import { html } from 'hono/html';
import { page, type Html, type Letterhead } from './html.js';
import { chrome, langOf, lensForm, type Lens } from './pages.js';

/**
 * The auditor's view of one record: every event that made it, in order, with
 * who recorded it, when, from which source, its business date and reason; the
 * corrections of each event beside it with their reasons and what they
 * changed; personal data redacted, and said to be erased once it is. The
 * audit-trail read model answers all of it; this only lays it out.
 */
const json = (value: unknown): string => JSON.stringify(value, null, 1);

function auditEntry(e: AuditEntry): Html {
  return html`<li class="audit-event" id="event-${e.eventId}" data-event="${e.eventId}" data-position="${e.position}">
<div><span class="tag">#${e.position}</span> <strong class="what">${e.type}</strong> <span class="meta">v${e.schemaVersion}, revision ${e.revision}</span></div>
<div class="meta">Recorded <time datetime="${e.recordedAt}">${e.recordedAt}</time> by <strong class="by">${e.recordedBy}</strong>${e.commandType ? ` (${e.commandType})` : ''} · source <span class="source">${e.sourceRef ?? 'not given'}</span>${
    e.businessDate ? html` · business date ${e.correctedBusinessDate ? html`<del>${e.businessDate.label}</del> ${e.correctedBusinessDate.label}` : e.businessDate.label}` : ''
  }</div>
${e.reason ? html`<div class="reason">Reason: ${e.reason}</div>` : ''}
${e.corrects ? html`<div class="meta">Corrects ${e.corrects.type} <a href="#event-${e.corrects.eventId}">${e.corrects.eventId}</a></div>` : ''}
${e.problem ? html`<div class="problem">${e.problem}</div>` : ''}
<details><summary>Data as written</summary><pre>${json(e.data)}</pre>${e.correctedData !== undefined && e.correctedData !== null ? html`<p class="meta">As read today:</p><pre>${json(e.correctedData)}</pre>` : ''}</details>
${
  e.corrections.length > 0
    ? html`<ol class="corrections">${e.corrections.map(
        (c) => html`<li class="correction" data-event="${c.eventId}">Corrected <time datetime="${c.recordedAt}">${c.recordedAt}</time> by <strong>${c.recordedBy}</strong>: <span class="reason">${c.reason}</span>
<ul>${c.changes.map((ch) => html`<li><code>${ch.field}</code>: <del>${json(ch.from)}</del> → ${json(ch.to)}</li>`)}</ul></li>`,
      )}</ol>`
    : ''
}
</li>`;
}

export function auditPage(answer: Answer<AuditTrail>, lens: Lens, hidden: Readonly<Record<string, string>>, letterhead?: Letterhead): Html {
  const { stream, record, personalData, events } = answer.result;
  const personal = {
    erased: "This participant's personal data was erased: it is shown as erased, never in clear.",
    redacted: 'Personal data, if any, is redacted.',
    shown: 'Personal data is shown.',
  }[personalData];
  // The events are the record's own words (types, data); the page around them is in the reader's language.
  return page({
    ...chrome(lens),
    title: `${langOf(lens) === 'en' ? 'Audit trail' : message(langOf(lens), 'report.auditTrail')}: ${record ? `${record.type} ${record.id}` : stream}`,
    subtitle: lensLine(answer, langOf(lens)),
    ...(letterhead ? { letterhead } : {}),
    body: html`${lensForm(lens, hidden)}
<p class="meta">Stream <code>${stream}</code> · ${events.length} ${events.length === 1 ? 'event' : 'events'} · <span class="personal-data" data-personal-data="${personalData}">${personal}</span></p>
<ol class="audit" aria-label="Events">
${events.map(auditEntry)}
</ol>`,
  });
}
