/**
 * The words of an outage alert: the SMS text, the voice-message text and the category labels
 * (R-SMS-5, R-SMS-7, R-SMS-8, R-COM-2).
 *
 * - R-SMS-5: the SMS may reach a child, so the fixed words are everyday words (no "VA", no
 *   "kokepålegg"); ops write the title and message, the labels below follow the same habit.
 * - R-SMS-7: the department comes first and a link to more information comes last, in SMS and voice.
 * - R-SMS-8: the voice text never spells out a link; it says the host name ("kalmarvatten.se").
 * - Text typed in a word processor is tidied before it is measured: Unicode NFC (a decomposed "ä"
 *   would otherwise turn the SMS into UCS-2), typographic quotes, dashes and spaces become their
 *   GSM-7 look-alikes, runs of blank lines shrink to one.
 */
import { domainToUnicode } from 'node:url';
import { ValidationError, type FieldError } from '../errors.js';
import { measureSms, nonGsmCharacters, toGsmLookalikes, type SmsMeasure } from './sms-encoding.js';
import type { Language, OutageCategory } from './types.js';

export type AlertKind = 'initial' | 'update' | 'resolved';

/** BCP 47 tag of each language: the text-to-speech voice and CAP's `<language>` (RFC 3066 is compatible). */
export type LanguageTag = 'sv-SE' | 'fi-FI' | 'nb-NO' | 'en-GB';
export const languageTags: Record<Language, LanguageTag> = { sv: 'sv-SE', fi: 'fi-FI', nb: 'nb-NO', en: 'en-GB' };

export interface AlertSender {
  /** Who sends it, as residents know it, e.g. "Kalmar Vatten" (R-SMS-7). */
  department: string;
  /** Absolute http(s) URL of the "ongoing works" page (R-SMS-6). */
  infoUrl: string;
}

export interface AlertTextInput {
  category: OutageCategory;
  kind: AlertKind;
  title: string;
  message: string;
  language: Language;
  sender: AlertSender;
}

/** Category labels per language: CAP `<event>` and the voice message's opening (plain words, R-SMS-5). */
const labels: Record<OutageCategory, Record<Language, string>> = {
  leak: { sv: 'Vattenläcka', fi: 'Vesivuoto', nb: 'Vannlekkasje', en: 'Water leak' },
  planned_shutoff: {
    sv: 'Planerad vattenavstängning',
    fi: 'Suunniteltu vesikatko',
    nb: 'Planlagt vannavstengning',
    en: 'Planned water shut-off',
  },
  // All drinking-water problems, boil-water notices included: the label must not claim more than it knows.
  contamination: { sv: 'Varning om dricksvattnet', fi: 'Juomavesivaroitus', nb: 'Varsel om drikkevannet', en: 'Drinking water warning' },
  flood_risk: { sv: 'Risk för översvämning', fi: 'Tulvariski', nb: 'Fare for oversvømmelse', en: 'Flood risk' },
  traffic: { sv: 'Trafikstörning', fi: 'Liikennehäiriö', nb: 'Trafikkforstyrrelse', en: 'Traffic disruption' },
  // Upcoming water and sewer works and changed schedules of planned works (R-SMS-1).
  works_schedule: { sv: 'Arbete på vatten och avlopp', fi: 'Vesi- ja viemärityöt', nb: 'Arbeid på vann og avløp', en: 'Water and sewer works' },
};

const kindPrefix: Record<Exclude<AlertKind, 'initial'>, Record<Language, string>> = {
  update: { sv: 'Uppdatering', fi: 'Päivitys', nb: 'Oppdatering', en: 'Update' },
  resolved: { sv: 'Åtgärdat', fi: 'Korjattu', nb: 'Løst', en: 'Resolved' },
};

const moreInfo: Record<Language, string> = { sv: 'Mer info', fi: 'Lisätietoa', nb: 'Mer info', en: 'More info' };

/** Voice: who speaks, and where more information is (the host name only). */
const voiceFrom: Record<Language, (department: string) => string> = {
  sv: (department) => `Det här är ett meddelande från ${department}.`,
  // "<department> tiedottaa" needs no inflection of the name, which Finnish grammar would otherwise ask for.
  fi: (department) => `${department} tiedottaa.`,
  nb: (department) => `Dette er en melding fra ${department}.`,
  en: (department) => `This is a message from ${department}.`,
};
const voiceMoreInfo: Record<Language, (host: string) => string> = {
  sv: (host) => `Mer information finns på ${host}.`,
  fi: (host) => `Lisätietoa osoitteessa ${host}.`,
  nb: (host) => `Mer informasjon finner du på ${host}.`,
  en: (host) => `More information at ${host}.`,
};

export function categoryLabel(category: OutageCategory, language: Language): string {
  return labels[category][language];
}

/** One line: NFC, GSM look-alikes, whitespace runs collapsed. */
function tidyLine(text: string): string {
  return toGsmLookalikes(text.normalize('NFC')).replace(/\s+/g, ' ').trim();
}

/** Several lines: as tidyLine per line, at most one blank line in a row, no leading/trailing blank lines. */
function tidyText(text: string): string {
  return toGsmLookalikes(text.normalize('NFC'))
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[^\S\n]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

interface Tidy {
  department: string;
  title: string;
  message: string;
  url: URL;
  urlText: string;
}

function tidyInput(input: AlertTextInput): Tidy {
  const errors: FieldError[] = [];
  const department = tidyLine(input.sender.department);
  const title = tidyLine(input.title);
  const message = tidyText(input.message);
  const urlText = input.sender.infoUrl.trim();
  if (department === '') errors.push({ path: 'sender.department', message: 'required: every message states who sends it (R-SMS-7)' });
  if (title === '') errors.push({ path: 'title', message: 'required' });
  if (message === '') errors.push({ path: 'message', message: 'required' });
  let url: URL | undefined;
  try {
    url = new URL(urlText);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    errors.push({ path: 'sender.infoUrl', message: 'an absolute http(s) URL is required (R-SMS-7)' });
  }
  if (errors.length > 0 || !url) throw new ValidationError(errors);
  return { department, title, message, url, urlText };
}

/**
 * The SMS text: department, then (for an update or resolution) a prefix and the title, the
 * message, and the link, one per line:
 *
 *     Kalmar Vatten
 *     Uppdatering: Vattenläcka på Storgatan
 *     Vattnet är tillbaka vid 15.
 *     Mer info: https://kalmarvatten.se/driftinfo
 */
export function composeAlert(input: AlertTextInput): string {
  const { department, title, message, urlText } = tidyInput(input);
  const heading = input.kind === 'initial' ? title : `${kindPrefix[input.kind][input.language]}: ${title}`;
  return [department, heading, message, `${moreInfo[input.language]}: ${urlText}`].join('\n');
}

export interface VoiceMessage {
  text: string;
  /** BCP 47 language of the text-to-speech voice. */
  language: LanguageTag;
}

/** The host of a URL as people say it: Unicode, lower case, no port. */
function spokenHost(url: URL): string {
  return domainToUnicode(url.hostname) || url.hostname;
}

/** Every http(s) link in ops' text becomes its host name: a voice must not read out a path. */
function linksToHosts(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s<>"]+/gi, (link) => {
    const trailing = /[.,;:!?)]+$/.exec(link)?.[0] ?? '';
    try {
      return spokenHost(new URL(link.slice(0, link.length - trailing.length))) + trailing;
    } catch {
      return link;
    }
  });
}

/** A sentence ends in punctuation, so that the voice pauses. */
function asSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** The voice-message text for those who cannot get SMS (R-SMS-8), and the voice's language. */
export function composeVoice(input: AlertTextInput): VoiceMessage {
  const { department, title, message, url } = tidyInput(input);
  const sentences = [
    voiceFrom[input.language](department),
    asSentence(categoryLabel(input.category, input.language)),
    ...(input.kind === 'initial' ? [] : [asSentence(kindPrefix[input.kind][input.language])]),
    asSentence(linksToHosts(title)),
    ...linksToHosts(message)
      .split(/\n+/)
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map(asSentence),
    voiceMoreInfo[input.language](spokenHost(url)),
  ];
  return { text: sentences.join(' '), language: languageTags[input.language] };
}

/**
 * Measures the SMS and refuses one longer than `maxSegments` (cost, and R-SMS-6's limited capacity).
 * The error names the characters that made the text UCS-2, since one emoji halves the room.
 */
export function checkSegmentLimit(text: string, maxSegments: number, path = 'message'): SmsMeasure {
  const measure = measureSms(text);
  if (measure.segments > maxSegments) {
    const culprits = nonGsmCharacters(text);
    const why = culprits.length > 0 ? ` (UCS-2 because of ${culprits.map((c) => `"${c}"`).join(', ')})` : '';
    throw new ValidationError([{ path, message: `the SMS would be ${measure.segments} segments; at most ${maxSegments} allowed${why}` }]);
  }
  return measure;
}
