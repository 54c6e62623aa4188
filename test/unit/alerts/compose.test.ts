// SMS and voice text of an outage alert (R-SMS-5, R-SMS-7, R-SMS-8).
import { describe, expect, it } from '@jest/globals';
import {
  categoryLabel,
  checkSegmentLimit,
  composeAlert,
  composeVoice,
  type AlertTextInput,
} from '../../../lambdas/domain/alerts/compose.js';
import { measureSms } from '../../../lambdas/domain/alerts/sms-encoding.js';
import { outageCategories, type Language } from '../../../lambdas/domain/alerts/types.js';
import { ValidationError } from '../../../lambdas/domain/errors.js';

const sender = { department: 'Kalmar Vatten', infoUrl: 'https://kalmarvatten.se/driftinfo' };

const texts: Record<Language, { title: string; message: string; update: string; resolved: string; moreInfo: string }> = {
  sv: { title: 'Vattenläcka på Storgatan', message: 'Vattnet är avstängt till kl. 15.', update: 'Uppdatering:', resolved: 'Åtgärdat:', moreInfo: 'Mer info:' },
  fi: { title: 'Vesivuoto Kauppakadulla', message: 'Vesi on poikki klo 15 asti.', update: 'Päivitys:', resolved: 'Korjattu:', moreInfo: 'Lisätietoa:' },
  nb: { title: 'Vannlekkasje i Storgata', message: 'Vannet er stengt til kl. 15.', update: 'Oppdatering:', resolved: 'Løst:', moreInfo: 'Mer info:' },
  en: { title: 'Water leak on High Street', message: 'The water is off until 3 pm.', update: 'Update:', resolved: 'Resolved:', moreInfo: 'More info:' },
};

const input = (language: Language, overrides: Partial<AlertTextInput> = {}): AlertTextInput => ({
  category: 'leak',
  kind: 'initial',
  title: texts[language].title,
  message: texts[language].message,
  language,
  sender,
  ...overrides,
});

describe('composeAlert', () => {
  it.each(['sv', 'fi', 'nb', 'en'] as const)('in %s: department first, then title, message and the link', (language) => {
    // Prepare
    const alert = input(language);
    // Act
    const sms = composeAlert(alert);
    // Assess
    expect(sms.split('\n')).toEqual([
      'Kalmar Vatten',
      texts[language].title,
      texts[language].message,
      `${texts[language].moreInfo} https://kalmarvatten.se/driftinfo`,
    ]);
    expect(measureSms(sms)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });

  it.each(['sv', 'fi', 'nb', 'en'] as const)('in %s: updates and resolutions say so before the title', (language) => {
    // Act
    const update = composeAlert(input(language, { kind: 'update' }));
    const resolved = composeAlert(input(language, { kind: 'resolved' }));
    // Assess
    expect(update.split('\n')[0]).toBe('Kalmar Vatten');
    expect(update.split('\n')[1]).toBe(`${texts[language].update} ${texts[language].title}`);
    expect(resolved.split('\n')[1]).toBe(`${texts[language].resolved} ${texts[language].title}`);
    expect(resolved).toContain('https://kalmarvatten.se/driftinfo');
  });

  it('tidies what a word processor typed, so that the SMS stays GSM-7', () => {
    // Prepare: a decomposed "ä", curly quotes, an en dash, a no-break space, Windows line breaks, blank lines
    const alert = input('sv', {
      title: '  Vattenla\u0308cka  –  Storgatan ',
      message: 'Koka vattnet \u201Dinnan\u201D du dricker.\r\n\r\n\r\n\r\nTack\u00A0för tålamodet.  ',
    });
    // Act
    const sms = composeAlert(alert);
    // Assess
    expect(sms).toBe(
      ['Kalmar Vatten', 'Vattenläcka - Storgatan', 'Koka vattnet "innan" du dricker.', '', 'Tack för tålamodet.', 'Mer info: https://kalmarvatten.se/driftinfo'].join('\n'),
    );
    expect(measureSms(sms).encoding).toBe('GSM-7');
  });

  it('refuses an alert without a sender, title, message or valid link', () => {
    // Prepare
    const alert = input('sv', { title: ' ', message: '', sender: { department: '', infoUrl: 'kalmarvatten.se' } });
    // Act
    let error: unknown;
    try {
      composeAlert(alert);
    } catch (caught) {
      error = caught;
    }
    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.path).sort()).toEqual(['message', 'sender.department', 'sender.infoUrl', 'title']);
  });
});

describe('category labels', () => {
  it('has a label in every language for every category, each GSM-7', () => {
    for (const category of outageCategories) {
      for (const language of ['sv', 'fi', 'nb', 'en'] as const) {
        // Act
        const label = categoryLabel(category, language);
        // Assess
        expect(label.length).toBeGreaterThan(0);
        expect(measureSms(label).encoding).toBe('GSM-7');
      }
    }
  });

  it('names leaks and drinking water plainly', () => {
    // Act / Assess
    expect(['sv', 'fi', 'nb', 'en'].map((language) => categoryLabel('leak', language as Language))).toEqual(['Vattenläcka', 'Vesivuoto', 'Vannlekkasje', 'Water leak']);
    expect(categoryLabel('contamination', 'sv')).toMatch(/dricksvatt/i);
    expect(categoryLabel('contamination', 'nb')).toMatch(/drikkevann/i);
    expect(categoryLabel('contamination', 'fi')).toMatch(/juomave/i);
    expect(categoryLabel('works_schedule', 'sv')).not.toMatch(/\bVA\b/);
  });
});

describe('composeVoice', () => {
  it.each([
    ['sv', 'sv-SE', 'Det här är ett meddelande från Kalmar Vatten.', 'Mer information finns på kalmarvatten.se.'],
    ['fi', 'fi-FI', 'Kalmar Vatten tiedottaa.', 'Lisätietoa osoitteessa kalmarvatten.se.'],
    ['nb', 'nb-NO', 'Dette er en melding fra Kalmar Vatten.', 'Mer informasjon finner du på kalmarvatten.se.'],
    ['en', 'en-GB', 'This is a message from Kalmar Vatten.', 'More information at kalmarvatten.se.'],
  ] as const)('in %s: speaks as %s, says who sends it and the host name only', (language, voice, opening, closing) => {
    // Act
    const spoken = composeVoice(input(language));
    // Assess
    expect(spoken.language).toBe(voice);
    expect(spoken.text.startsWith(opening)).toBe(true);
    expect(spoken.text.endsWith(closing)).toBe(true);
    expect(spoken.text).toContain(categoryLabel('leak', language));
    expect(spoken.text).not.toMatch(/https?:|\/driftinfo/);
  });

  it('reads the full Swedish update as sentences and turns links in the message into host names', () => {
    // Prepare
    const alert = input('sv', { kind: 'update', message: 'Vattnet är tillbaka\nSe https://www.kalmar.se/trafik/omledning, tack' });
    // Act
    const spoken = composeVoice(alert);
    // Assess
    expect(spoken.text).toBe(
      'Det här är ett meddelande från Kalmar Vatten. Vattenläcka. Uppdatering. Vattenläcka på Storgatan. Vattnet är tillbaka. Se www.kalmar.se, tack. Mer information finns på kalmarvatten.se.',
    );
  });

  it('says an internationalised host name in letters, not punycode', () => {
    // Prepare
    const alert = input('sv', { sender: { department: 'Vänersborgs kommun', infoUrl: 'https://vänersborg.se/avbrott' } });
    // Act
    const spoken = composeVoice(alert);
    // Assess
    expect(spoken.text).toContain('finns på vänersborg.se.');
  });
});

describe('checkSegmentLimit', () => {
  it('returns the measure of a text within the limit', () => {
    // Act
    const measure = checkSegmentLimit('a'.repeat(459), 3);
    // Assess
    expect(measure).toEqual({ encoding: 'GSM-7', units: 459, segments: 3, charactersPerSegment: 153 });
  });

  it('refuses a longer text, naming the segments and the limit', () => {
    // Prepare
    const text = 'a'.repeat(460);
    // Act / Assess
    expect(() => checkSegmentLimit(text, 3)).toThrow(ValidationError);
    try {
      checkSegmentLimit(text, 3);
    } catch (error) {
      expect((error as ValidationError).errors).toEqual([{ path: 'message', message: 'the SMS would be 4 segments; at most 3 allowed' }]);
    }
  });

  it('tells which characters made the text UCS-2', () => {
    // Prepare: 150 characters fit 1 GSM-7 segment, but one emoji makes them 3 UCS-2 segments
    const text = `${'a'.repeat(148)}🙂`;
    // Act
    let error: unknown;
    try {
      checkSegmentLimit(text, 2);
    } catch (caught) {
      error = caught;
    }
    // Assess
    expect((error as ValidationError).errors[0]?.message).toBe('the SMS would be 3 segments; at most 2 allowed (UCS-2 because of "🙂")');
  });
});
