/**
 * CAP 1.2 (OASIS Common Alerting Protocol) for the public "ongoing works" feed
 * (`GET /v1/public/ongoing-works.cap`; R-SMS-6: the website is the reference at all times;
 * R-COM-2: many channels, linking to the primary source).
 *
 * Decisions:
 * - Times are written as CAP 1.2 §3.3.2 demands: `YYYY-MM-DDThh:mm:ss` and an offset, no "Z", no
 *   fractional seconds (truncated), and UTC as `-00:00` — the spec's words: "The timezone for UTC
 *   MUST be represented as '-00:00'" (both signs pass the XML schema's pattern; `-00:00` is what
 *   the text says, so validators that follow it accept us).
 * - CAP categories: leak, planned_shutoff, works_schedule → Infra ("utility ... infrastructure");
 *   contamination → Health; traffic → Transport; flood_risk → Met, since a flood risk comes from
 *   rain, snowmelt or high water and aggregators (Meteoalarm, Google Public Alerts) file floods
 *   under Met, while Env is "pollution and other environmental" hazards.
 * - One `<info>` per language, each with the same `<area>`; two infos in one language are refused.
 * - The polygon is the GeoJSON outer ring turned to CAP's "lat,lon" order, closed if it is not,
 *   coordinates rounded to 6 decimals (about 0.1 m). Holes cannot be said in CAP (several
 *   `<polygon>`s are a union), so they are dropped: the CAP area may be larger than the outage's.
 * - `identifier`, `sender` and the references' parts must not contain spaces, commas, `<` or `&`
 *   (CAP 3.2.1): refused with a ValidationError rather than silently changed.
 * - Text is XML-escaped; characters XML 1.0 cannot carry (control characters other than tab,
 *   newline and carriage return, lone surrogates, U+FFFE/U+FFFF) are dropped.
 * - Each alert is its own CAP 1.2 document (`GET /v1/public/alerts/{identifier}.cap`): CAP
 *   defines no container for several alerts, so a root such as `<alerts>` is refused by strict
 *   consumers. The feed (`GET /v1/public/ongoing-works.cap`) is an Atom 1.0 feed (RFC 4287) with
 *   one entry per outage linking to its latest CAP document (`rel="alternate"`,
 *   `type="application/cap+xml"`): the index form alert aggregators read (OASIS CAP feeds note).
 *   The links are relative (`alerts/<identifier>.cap`), resolved against the feed's own URL.
 * - An outage's messages are CAP messages in turn: the first an Alert (identifier = outage id),
 *   each later one an Update (or the resolving one a Cancel) with identifier `<outage id>-<n>`
 *   whose `<references>` names every earlier message of the outage (CAP 1.2 §3.2.1:
 *   space-separated `sender,identifier,sent` triples), not only the first.
 */
import { ValidationError, type FieldError } from '../errors.js';
import { languageTags } from './compose.js';
import { urgentCategories, type GeoJsonPolygon, type Language, type OutageCategory } from './types.js';

export const capNamespace = 'urn:oasis:names:tc:emergency:cap:1.2';

export type CapCategory = 'Geo' | 'Met' | 'Safety' | 'Security' | 'Rescue' | 'Fire' | 'Health' | 'Env' | 'Transport' | 'Infra' | 'CBRNE' | 'Other';
export type CapUrgency = 'Immediate' | 'Expected' | 'Future' | 'Past';
export type CapSeverity = 'Extreme' | 'Severe' | 'Moderate' | 'Minor';
export type CapCertainty = 'Observed' | 'Likely' | 'Possible';

export interface CapReference {
  sender: string;
  identifier: string;
  sent: Date;
}

export interface CapInfoInput {
  language: Language;
  event: string;
  headline: string;
  description: string;
  urgency: CapUrgency;
  severity: CapSeverity;
  certainty: CapCertainty;
  onset?: Date;
  expires?: Date;
  web: string;
  contact: string;
}

export interface CapAlertInput {
  identifier: string;
  sender: string;
  sent: Date;
  msgType: 'Alert' | 'Update' | 'Cancel';
  references?: CapReference[];
  category: OutageCategory;
  infos: CapInfoInput[];
  area: { areaDesc: string; polygon?: GeoJsonPolygon };
}

export const capCategories: Record<OutageCategory, CapCategory> = {
  leak: 'Infra',
  planned_shutoff: 'Infra',
  works_schedule: 'Infra',
  contamination: 'Health',
  flood_risk: 'Met',
  traffic: 'Transport',
};

/**
 * Default severity per category: contamination and flood risk threaten health or property
 * (Severe); a leak cuts water off unannounced (Moderate); planned and traffic matters are Minor.
 */
export function defaultCapSeverity(category: OutageCategory): CapSeverity {
  switch (category) {
    case 'contamination':
    case 'flood_risk':
      return 'Severe';
    case 'leak':
      return 'Moderate';
    case 'planned_shutoff':
    case 'traffic':
    case 'works_schedule':
      return 'Minor';
  }
}

/**
 * Default urgency: an event more than an hour ahead is Future. One under way (or without a start)
 * or starting within the hour is Immediate for the urgent categories (act now: boil the water,
 * move belongings) and Expected for the others (CAP: "soon (within next hour)": fill a jug
 * before a shut-off).
 */
export function defaultCapUrgency(category: OutageCategory, startsAt: Date | undefined, now: Date): CapUrgency {
  const hour = 60 * 60 * 1000;
  if (startsAt && startsAt.getTime() - now.getTime() > hour) return 'Future';
  return urgentCategories.includes(category) ? 'Immediate' : 'Expected';
}

/** CAP date-time: whole seconds, UTC written as `-00:00` (CAP 1.2 §3.3.2). */
export function capDateTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date');
  return `${date.toISOString().slice(0, 19)}-00:00`;
}

/** Escapes XML's special characters and drops characters XML 1.0 cannot carry. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const coordinate = (value: number) => String(Number(value.toFixed(6)) || 0);

/** CAP polygon text ("lat,lon lat,lon ...", first = last) of a GeoJSON polygon's outer ring. */
export function capPolygon(polygon: GeoJsonPolygon, path = 'area.polygon'): string {
  const ring = polygon.coordinates[0] ?? [];
  const errors: FieldError[] = [];
  ring.forEach(([longitude, latitude], index) => {
    if (!Number.isFinite(latitude) || latitude < -90 || latitude > 90 || !Number.isFinite(longitude) || longitude < -180 || longitude > 180) {
      errors.push({ path: `${path}.coordinates.0.${index}`, message: 'not a WGS 84 [longitude, latitude] position' });
    }
  });
  if (errors.length > 0) throw new ValidationError(errors);
  const pairs = ring.map(([longitude, latitude]) => `${coordinate(latitude)},${coordinate(longitude)}`);
  if (pairs.length > 0 && pairs[0] !== pairs[pairs.length - 1]) pairs.push(pairs[0] ?? '');
  if (new Set(pairs).size < 3 || pairs.length < 4) {
    throw new ValidationError([{ path, message: 'a polygon needs at least three distinct corners' }]);
  }
  return pairs.join(' ');
}

/** CAP 3.2.1: identifier and sender carry no spaces, commas or restricted characters. */
function checkToken(value: string, path: string, errors: FieldError[]): void {
  if (value === '' || /[\s,<&]/.test(value)) errors.push({ path, message: 'must be non-empty, without spaces, commas, "<" or "&" (CAP 1.2)' });
}

function validate(input: CapAlertInput, path: string): void {
  const errors: FieldError[] = [];
  checkToken(input.identifier, `${path}identifier`, errors);
  checkToken(input.sender, `${path}sender`, errors);
  (input.references ?? []).forEach((reference, index) => {
    checkToken(reference.sender, `${path}references.${index}.sender`, errors);
    checkToken(reference.identifier, `${path}references.${index}.identifier`, errors);
  });
  if (input.msgType !== 'Alert' && (input.references ?? []).length === 0) {
    errors.push({ path: `${path}references`, message: `an ${input.msgType} names the earlier message(s) it updates or cancels` });
  }
  const seen = new Set<Language>();
  input.infos.forEach((info, index) => {
    if (seen.has(info.language)) errors.push({ path: `${path}infos.${index}.language`, message: 'one info per language' });
    seen.add(info.language);
  });
  if (errors.length > 0) throw new ValidationError(errors);
}

const element = (indent: string, name: string, value: string) => `${indent}<${name}>${escapeXml(value)}</${name}>`;

function renderAlertElement(input: CapAlertInput, indent: string, path: string): string[] {
  validate(input, path);
  const inner = `${indent}  `;
  const polygon = input.area.polygon ? capPolygon(input.area.polygon, `${path}area.polygon`) : undefined;
  const lines = [
    `${indent}<alert xmlns="${capNamespace}">`,
    element(inner, 'identifier', input.identifier),
    element(inner, 'sender', input.sender),
    element(inner, 'sent', capDateTime(input.sent)),
    element(inner, 'status', 'Actual'),
    element(inner, 'msgType', input.msgType),
    element(inner, 'scope', 'Public'),
  ];
  if (input.references && input.references.length > 0) {
    const triplets = input.references.map((reference) => `${reference.sender},${reference.identifier},${capDateTime(reference.sent)}`);
    lines.push(element(inner, 'references', triplets.join(' ')));
  }
  const infoIndent = `${inner}  `;
  const areaIndent = `${infoIndent}  `;
  for (const info of input.infos) {
    // Element order as CAP 1.2's schema sequence requires.
    lines.push(
      `${inner}<info>`,
      element(infoIndent, 'language', languageTags[info.language]),
      element(infoIndent, 'category', capCategories[input.category]),
      element(infoIndent, 'event', info.event),
      element(infoIndent, 'urgency', info.urgency),
      element(infoIndent, 'severity', info.severity),
      element(infoIndent, 'certainty', info.certainty),
      ...(info.onset ? [element(infoIndent, 'onset', capDateTime(info.onset))] : []),
      ...(info.expires ? [element(infoIndent, 'expires', capDateTime(info.expires))] : []),
      element(infoIndent, 'headline', info.headline),
      element(infoIndent, 'description', info.description),
      element(infoIndent, 'web', info.web),
      element(infoIndent, 'contact', info.contact),
      `${infoIndent}<area>`,
      element(areaIndent, 'areaDesc', input.area.areaDesc),
      ...(polygon ? [element(areaIndent, 'polygon', polygon)] : []),
      `${infoIndent}</area>`,
      `${inner}</info>`,
    );
  }
  lines.push(`${indent}</alert>`);
  return lines;
}

const declaration = '<?xml version="1.0" encoding="UTF-8"?>';

/** One CAP 1.2 alert as a standalone XML document. */
export function renderCapAlert(input: CapAlertInput): string {
  return [declaration, ...renderAlertElement(input, '', ''), ''].join('\n');
}

export interface AtomFeedInput {
  /** The feed's permanent id (an IRI), e.g. `urn:<sender>:ongoing-works`. */
  id: string;
  title: string;
  /** The publisher (the utility's department). */
  author: string;
  /** When the feed last changed: the latest entry's time (or now when there is none). */
  updated: Date;
  /** The website the feed belongs to (`rel="related"`). */
  web: string;
  entries: {
    /** The CAP identifier; the entry links to `alerts/<identifier>.cap`. */
    identifier: string;
    sender: string;
    title: string;
    summary: string;
    updated: Date;
  }[];
}

/** Atom date-time (RFC 3339): whole seconds, UTC as `Z`. */
const atomDateTime = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

/** The CAP document's path relative to the feed (`/v1/public/ongoing-works.cap` → `/v1/public/alerts/...`). */
export const capAlertHref = (identifier: string) => `alerts/${encodeURIComponent(identifier)}.cap`;

/** The public index: an Atom 1.0 feed with one entry per alert, each linking to its CAP 1.2 document. */
export function renderCapAtomFeed(feed: AtomFeedInput): string {
  const errors: FieldError[] = [];
  feed.entries.forEach((entry, index) => checkToken(entry.identifier, `entries.${index}.identifier`, errors));
  if (errors.length > 0) throw new ValidationError(errors);
  const lines = [
    declaration,
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    element('  ', 'id', feed.id),
    element('  ', 'title', feed.title),
    element('  ', 'updated', atomDateTime(feed.updated)),
    `  <author>${element('', 'name', feed.author)}</author>`,
    `  <link rel="self" href="ongoing-works.cap" type="application/atom+xml"/>`,
    `  <link rel="related" href="${escapeXml(feed.web)}"/>`,
  ];
  for (const entry of feed.entries) {
    lines.push(
      '  <entry>',
      element('    ', 'id', `urn:cap:${entry.sender}:${entry.identifier}`),
      element('    ', 'title', entry.title),
      element('    ', 'updated', atomDateTime(entry.updated)),
      element('    ', 'summary', entry.summary),
      `    <link rel="alternate" type="application/cap+xml" href="${escapeXml(capAlertHref(entry.identifier))}"/>`,
      '  </entry>',
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}
