import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { catalogues, message, type MessageId } from './messages.js';
import { partialDateText, dayText } from './dates.js';
import { defaultLocales, languageFromAcceptLanguage, directionOf } from './locale.js';
import { eventTypes, participantKindSchema, partnerKindSchema, programmeLaunched } from '@taawun/domain';
import { periodOf } from '../../model/dates.js';
import { onlyCertainNotes, periodText } from '../texts.js';
import { builtInReadModels } from '../../read-models/built-in.js';
import { publicationStatusSchema } from '../../read-models/publication-status.js';
import { eventTypeText, readModelDescription, readModelTitle, selectKey } from '../vocabulary.js';

type Node = { type: number; value?: string; options?: Record<string, { value: Node[] }> };

/** The arguments a message uses, and for each plural the categories it writes. */
function shapeOf(text: string, locale: string): { args: string[]; plurals: Record<string, string[]> } {
  const args = new Set<string>();
  const plurals: Record<string, string[]> = {};
  const walk = (nodes: Node[]) => {
    for (const node of nodes) {
      if (node.type !== 0 && node.type !== 7 && node.value) args.add(node.value); // 0 literal, 7 pound
      if (node.options) {
        if (node.type === 6 && node.value) plurals[node.value] = Object.keys(node.options).sort();
        for (const option of Object.values(node.options)) walk(option.value);
      }
    }
  };
  walk(new IntlMessageFormat(text, locale).getAst() as unknown as Node[]);
  return { args: [...args].sort(), plurals };
}

const ids = Object.keys(catalogues.en) as MessageId[];

describe('the message catalogues', () => {
  it('have every message in English, French and Arabic, none empty', () => {
    for (const lang of ['en', 'fr', 'ar'] as const) {
      expect(Object.keys(catalogues[lang]).sort()).toEqual([...ids].sort());
      for (const id of ids) expect(catalogues[lang][id].trim(), `${lang} ${id}`).not.toBe('');
    }
  });

  it('use the same arguments in every language, so a value is never lost in translation', () => {
    for (const id of ids) {
      const english = shapeOf(catalogues.en[id], defaultLocales.en).args;
      expect(shapeOf(catalogues.fr[id], defaultLocales.fr).args, `fr ${id}`).toEqual(english);
      expect(shapeOf(catalogues.ar[id], defaultLocales.ar).args, `ar ${id}`).toEqual(english);
    }
  });

  it('write every plural category each language has (Arabic six)', () => {
    for (const lang of ['en', 'fr', 'ar'] as const) {
      const categories = new Intl.PluralRules(defaultLocales[lang]).resolvedOptions().pluralCategories;
      const required = lang === 'fr' ? categories.filter((c) => c !== 'many') : categories; // French "many" is for millions: "other" says it
      for (const id of ids) {
        for (const [arg, written] of Object.entries(shapeOf(catalogues[lang][id], defaultLocales[lang]).plurals)) {
          expect(written, `${lang} ${id} {${arg}}`).toEqual(expect.arrayContaining([...required]));
        }
      }
    }
  });

  it('write in every plural branch each value the English branches write: "≥ 2" never becomes a bare dual', () => {
    /** For each plural in a message: the arguments each of its branches writes. */
    const branchArgs = (text: string, locale: string): Record<string, string>[] => {
      const found: Record<string, string>[] = [];
      const argsIn = (nodes: Node[], into: Set<string>) => {
        for (const node of nodes) {
          if (node.type !== 0 && node.type !== 7 && node.value) into.add(node.value);
          for (const option of Object.values(node.options ?? {})) argsIn(option.value, into);
        }
      };
      const walk = (nodes: Node[]) => {
        for (const node of nodes) {
          if (node.type !== 6 || !node.options) {
            for (const option of Object.values(node.options ?? {})) walk(option.value);
            continue;
          }
          const branches: Record<string, string> = {};
          for (const [category, option] of Object.entries(node.options)) {
            const args = new Set<string>();
            argsIn(option.value, args);
            branches[category] = [...args].sort().join(',');
          }
          found.push(branches);
          for (const option of Object.values(node.options)) walk(option.value);
        }
      };
      walk(new IntlMessageFormat(text, locale).getAst() as unknown as Node[]);
      return found;
    };
    for (const id of ids) {
      const english = branchArgs(catalogues.en[id], defaultLocales.en).map((b) => b.other);
      for (const lang of ['fr', 'ar'] as const) {
        branchArgs(catalogues[lang][id], defaultLocales[lang]).forEach((branches, i) => {
          for (const [category, args] of Object.entries(branches)) expect(args, `${lang} ${id} {${category}}`).toBe(english[i]);
        });
      }
    }
    expect(message('ar', 'figure.meetings', { n: 2, value: '≥ 2' })).toBe('≥ 2 اجتماعان');
  });

  it('agree in number the way each language does', () => {
    expect(message('en', 'figure.sessions', { n: 1, value: '1' })).toBe('1 session');
    expect(message('en', 'figure.sessions', { n: 6, value: '6' })).toBe('6 sessions');
    expect(message('ar', 'figure.sessions', { n: 3, value: '3' })).toBe('3 دورات');
    expect(message('ar', 'figure.sessions', { n: 11, value: '11' })).toBe('11 دورة');
    expect(message('ar', 'figure.entries', { n: 2 })).toBe('قيدان');
    expect(message('fr', 'figure.trained', { n: 70, value: '70' })).toBe('70 personnes formées');
    expect([1, 2, 3, 11].map((n) => message('ar', 'report.corrected', { n }))).toEqual(['صُحح مرة واحدة', 'صُحح مرتين', 'صُحح 3 مرات', 'صُحح 11 مرة']);
  });
});

/** The options a select message writes for its argument, besides `other`, and the English text of each. */
function selectOptions(text: string): Record<string, string> {
  const [node] = new IntlMessageFormat(text, 'en').getAst() as unknown as Node[];
  if (!node?.options) throw new Error(`not a select: ${text}`);
  return Object.fromEntries(
    Object.entries(node.options)
      .filter(([key]) => key !== 'other')
      .map(([key, option]) => [key, option.value.map((n) => (n.type === 0 ? n.value : '')).join('')]),
  );
}

describe('the words of the record and of the reports, in every language', () => {
  const everyLanguage = (id: MessageId, codes: readonly string[]) => {
    for (const lang of ['en', 'fr', 'ar'] as const) expect(Object.keys(selectOptions(catalogues[lang][id])).sort(), `${lang} ${id}`).toEqual(codes.map(selectKey).sort());
  };

  it('name every event type of the domain, so a new one without a label fails here', () => {
    everyLanguage('audit.eventType', eventTypes);
    expect(eventTypeText('SessionHeld', 'en')).toBe('SessionHeld');
    expect(eventTypeText('SessionHeld', 'fr')).toBe('Session tenue');
    expect(eventTypeText('SessionHeld', 'ar')).toBe('انعقاد دورة');
  });

  it('title and describe every built-in report, English as the read model defines it', () => {
    const names = builtInReadModels.map((m) => m.name);
    everyLanguage('readModel.title', names);
    everyLanguage('readModel.description', names);
    const english = { title: selectOptions(catalogues.en['readModel.title']), description: selectOptions(catalogues.en['readModel.description']) };
    for (const model of builtInReadModels) {
      expect(english.title[selectKey(model.name)], model.name).toBe(model.title);
      expect(english.description[selectKey(model.name)], model.name).toBe(model.description);
      expect(readModelTitle(model, 'en')).toBe(model.title);
      expect(readModelTitle(model, 'fr')).not.toBe(model.title === 'Sessions' || model.title === 'Publications' || model.title === 'Participants' ? '' : model.title);
      expect(readModelDescription(model, 'ar')).not.toBe(model.description);
    }
    // A report the user wrote keeps its author's words.
    expect(readModelTitle({ name: 'cohort-placements', title: 'Cohort placements' }, 'ar')).toBe('Cohort placements');
  });

  it('say every partner kind, participant kind, recurrence and publication status', () => {
    everyLanguage('vocab.partnerKind', partnerKindSchema.options.filter((k) => k !== 'other'));
    everyLanguage('vocab.participantKind', participantKindSchema.options);
    everyLanguage('vocab.recurrence', programmeLaunched.data.shape.recurrence.unwrap().options);
    everyLanguage('vocab.publicationStatus', publicationStatusSchema.options);
  });
});

describe('partial dates in three languages', () => {
  it('write days with the Moroccan month names by default', () => {
    expect(partialDateText('1998-11-16', 'ar')).toBe('16 نونبر 1998');
    expect(partialDateText('1998-11-16', 'fr')).toBe('16 novembre 1998');
    expect(partialDateText('1998-11-16', 'en')).toBe('16 November 1998');
    expect(partialDateText('2022-12', 'ar')).toBe('دجنبر 2022');
  });

  it('say what is not known in words, and never fill it in', () => {
    expect(partialDateText('XXXX-11-15/XXXX-11-25', 'en')).toBe('15\u2009–\u200925 November, year unknown') // CLDR's British range: thin spaces;
    expect(partialDateText('XXXX-11-15/XXXX-11-25', 'fr')).toBe('15–25 novembre, année inconnue');
    expect(partialDateText('XXXX-11-15/XXXX-11-25', 'ar')).toBe('15–25 نونبر، السنة غير معروفة');
    expect(partialDateText('../2022', 'en')).toBe('by 2022');
    expect(partialDateText('../2022', 'ar')).toBe('بحلول 2022');
    expect(partialDateText('2002/..', 'fr')).toBe('depuis 2002');
    expect(partialDateText('XXXX', 'fr')).toBe('date inconnue');
    expect(partialDateText('2018', 'ar')).toBe('2018');
  });

  it('let the locale write ranges, and span ends of different precision in words', () => {
    expect(partialDateText('2018-11-07/2018-11-08', 'en')).toBe('7\u2009–\u20098 November 2018');
    expect(partialDateText('2018-11-07/2018-11-08', 'fr')).toBe('7–8 novembre 2018');
    expect(partialDateText('2016/2020', 'ar')).toBe('2016–2020');
    expect(partialDateText('2018-11/2019', 'en')).toBe('November 2018 – 2019');
  });

  it('write every kind of period of the yearly report in the language, never the English label', () => {
    const periods = ['2018', '2016/2020', '../2022', '2002/..', 'XXXX'].map((edtf) => periodOf(edtf));
    expect(periods.map((p) => p.kind)).toEqual(['year', 'span', 'by', 'from', 'unknown']);
    expect(periods.map((p) => periodText(p, 'ar'))).toEqual(['2018', '2016–2020', 'بحلول 2022', 'منذ 2002', 'السنة غير معروفة']);
    expect(periods.map((p) => periodText(p, 'fr'))).toEqual(['2018', '2016–2020', '2022 au plus tard', 'depuis 2002', 'année inconnue']);
    expect(periods.map((p) => periodText(p, 'en'))).toEqual(['2018', '2016–2020', 'by 2022', 'from 2002', 'year unknown']);
    expect(onlyCertainNotes('2018', 'ar')[0]).toContain('«بحلول 2018»');
    expect(onlyCertainNotes('by-2018', 'ar')).toEqual([]);
  });

  it('follow an institute that reads another locale', () => {
    expect(partialDateText('1998-11-16', 'ar', { ...defaultLocales, ar: 'ar-EG' })).not.toBe('16 نونبر 1998');
    expect(dayText(new Date('2026-12-03T10:00:00Z'), 'ar')).toBe('3 دجنبر 2026');
  });
});

describe('choosing the language', () => {
  it('honours Accept-Language by weight and primary subtag', () => {
    expect(languageFromAcceptLanguage('ar-MA,ar;q=0.9,fr;q=0.8', 'en')).toBe('ar');
    expect(languageFromAcceptLanguage('de-DE, fr;q=0.5, en;q=0.4', 'ar')).toBe('fr');
    expect(languageFromAcceptLanguage('de, *;q=0.1', 'fr')).toBe('fr');
    expect(languageFromAcceptLanguage('es', 'ar')).toBe('ar');
    expect(languageFromAcceptLanguage('fr;q=0, en', 'ar')).toBe('en');
    expect(languageFromAcceptLanguage(undefined, 'fr')).toBe('fr');
    expect(directionOf('ar')).toBe('rtl');
  });
});
