// CAP 1.2 for the public "ongoing works" feed (R-SMS-6, R-COM-2).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import {
  capDateTime,
  capNamespace,
  capPolygon,
  defaultCapSeverity,
  defaultCapUrgency,
  escapeXml,
  renderCapAlert,
  renderCapAtomFeed,
  type CapAlertInput,
} from '../../../lambdas/domain/alerts/cap.js';
import type { OutageCategory } from '../../../lambdas/domain/alerts/types.js';
import { ValidationError } from '../../../lambdas/domain/errors.js';

/** Well-formedness without a DOM: tags balance, no raw "<" or stray "&" in text. */
function assertWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, '');
  const stack: string[] = [];
  let rest = body;
  for (const match of body.matchAll(/<(\/?)([A-Za-z][\w.-]*)(?:\s[^<>]*?)?(\/?)>|([^<]+)/g)) {
    const [, closing, name, selfClosing, text] = match;
    if (selfClosing) {
      rest = rest.slice(match[0].length);
      continue;
    }
    if (text !== undefined) {
      expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
      expect(text).not.toContain('>');
    } else if (closing) {
      expect(stack.pop()).toBe(name);
    } else {
      stack.push(name ?? '');
    }
    rest = rest.slice(match[0].length);
  }
  expect(rest).toBe('');
  expect(stack).toEqual([]);
}

/** Text of every element named `name`, unescaped. */
function texts(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map(([, text]) =>
    (text ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&'),
  );
}

const sender = 'driftinfo@kalmarvatten.se';

const boilWater: CapAlertInput = {
  identifier: 'kalmarvatten-out_01J8-1',
  sender,
  sent: new Date('2026-11-24T09:30:15.987Z'),
  msgType: 'Update',
  references: [{ sender, identifier: 'kalmarvatten-out_01J8-0', sent: new Date('2026-11-24T08:00:00Z') }],
  category: 'contamination',
  infos: [
    {
      language: 'sv',
      event: 'Varning om dricksvattnet',
      headline: 'Koka vattnet i Norrliden & Berga',
      description: 'Koka vattnet i minst 3 minuter innan du dricker det.\nGäller "Norrliden" <till fredag>.',
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Likely',
      onset: new Date('2026-11-24T08:00:00Z'),
      expires: new Date('2026-11-27T16:00:00Z'),
      web: 'https://kalmarvatten.se/driftinfo?id=1&lang=sv',
      contact: 'Kalmar Vatten, 0480-45 10 00',
    },
    {
      language: 'en',
      event: 'Drinking water warning',
      headline: 'Boil the water in Norrliden & Berga',
      description: 'Boil the water for at least 3 minutes before you drink it. It\'s for "Norrliden".',
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Likely',
      web: 'https://kalmarvatten.se/driftinfo?id=1&lang=en',
      contact: 'Kalmar Vatten, +46 480 45 10 00',
    },
  ],
  area: {
    areaDesc: 'Norrliden & Berga, Kalmar',
    // GeoJSON: [longitude, latitude]; Kalmar is near 16.36 E, 56.67 N. The ring is left open on purpose.
    polygon: { type: 'Polygon', coordinates: [[[16.35, 56.67], [16.37, 56.67], [16.37, 56.6812345678], [16.35, 56.68]]] },
  },
};

const plannedShutoff: CapAlertInput = {
  identifier: 'kalmarvatten-out_01J9-0',
  sender,
  sent: new Date('2026-11-25T07:00:00Z'),
  msgType: 'Alert',
  category: 'planned_shutoff',
  infos: [
    {
      language: 'fi',
      event: 'Suunniteltu vesikatko',
      headline: 'Vesikatko Kauppakadulla',
      description: 'Vesi on poikki klo 9-12.',
      urgency: 'Future',
      severity: 'Minor',
      certainty: 'Likely',
      web: 'https://kalmarvatten.se/driftinfo',
      contact: 'Kalmar Vatten',
    },
  ],
  area: { areaDesc: 'Kauppakatu 1-9' },
};

describe('renderCapAlert', () => {
  it('renders the whole document as written out by hand', () => {
    // Prepare
    const expected = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">',
      '  <identifier>kalmarvatten-out_01J8-1</identifier>',
      '  <sender>driftinfo@kalmarvatten.se</sender>',
      '  <sent>2026-11-24T09:30:15-00:00</sent>',
      '  <status>Actual</status>',
      '  <msgType>Update</msgType>',
      '  <scope>Public</scope>',
      '  <references>driftinfo@kalmarvatten.se,kalmarvatten-out_01J8-0,2026-11-24T08:00:00-00:00</references>',
      '  <info>',
      '    <language>sv-SE</language>',
      '    <category>Health</category>',
      '    <event>Varning om dricksvattnet</event>',
      '    <urgency>Immediate</urgency>',
      '    <severity>Severe</severity>',
      '    <certainty>Likely</certainty>',
      '    <onset>2026-11-24T08:00:00-00:00</onset>',
      '    <expires>2026-11-27T16:00:00-00:00</expires>',
      '    <headline>Koka vattnet i Norrliden &amp; Berga</headline>',
      '    <description>Koka vattnet i minst 3 minuter innan du dricker det.',
      'Gäller &quot;Norrliden&quot; &lt;till fredag&gt;.</description>',
      '    <web>https://kalmarvatten.se/driftinfo?id=1&amp;lang=sv</web>',
      '    <contact>Kalmar Vatten, 0480-45 10 00</contact>',
      '    <area>',
      '      <areaDesc>Norrliden &amp; Berga, Kalmar</areaDesc>',
      '      <polygon>56.67,16.35 56.67,16.37 56.681235,16.37 56.68,16.35 56.67,16.35</polygon>',
      '    </area>',
      '  </info>',
      '  <info>',
      '    <language>en-GB</language>',
      '    <category>Health</category>',
      '    <event>Drinking water warning</event>',
      '    <urgency>Immediate</urgency>',
      '    <severity>Severe</severity>',
      '    <certainty>Likely</certainty>',
      '    <headline>Boil the water in Norrliden &amp; Berga</headline>',
      '    <description>Boil the water for at least 3 minutes before you drink it. It&apos;s for &quot;Norrliden&quot;.</description>',
      '    <web>https://kalmarvatten.se/driftinfo?id=1&amp;lang=en</web>',
      '    <contact>Kalmar Vatten, +46 480 45 10 00</contact>',
      '    <area>',
      '      <areaDesc>Norrliden &amp; Berga, Kalmar</areaDesc>',
      '      <polygon>56.67,16.35 56.67,16.37 56.681235,16.37 56.68,16.35 56.67,16.35</polygon>',
      '    </area>',
      '  </info>',
      '</alert>',
      '',
    ].join('\n');
    // Act
    const xml = renderCapAlert(boilWater);
    // Assess
    expect(xml).toBe(expected);
    assertWellFormed(xml);
  });

  it('puts latitude first in the polygon and closes the ring', () => {
    // Act
    const xml = renderCapAlert(boilWater);
    // Assess
    const [polygon] = texts(xml, 'polygon');
    const pairs = (polygon ?? '').split(' ').map((pair) => pair.split(',').map(Number));
    expect(pairs.length).toBeGreaterThanOrEqual(4);
    for (const [latitude, longitude] of pairs) {
      expect(latitude).toBeGreaterThan(56);
      expect(latitude).toBeLessThan(57);
      expect(longitude).toBeGreaterThan(16);
      expect(longitude).toBeLessThan(17);
    }
    expect(pairs[0]).toEqual(pairs[pairs.length - 1]);
  });

  it('writes times as CAP wants: whole seconds, an offset, UTC as -00:00', () => {
    // Act
    const xml = renderCapAlert(boilWater);
    // Assess
    for (const name of ['sent', 'onset', 'expires']) {
      for (const time of texts(xml, name)) expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$/);
    }
    expect(capDateTime(new Date('2026-01-02T03:04:05.999Z'))).toBe('2026-01-02T03:04:05-00:00');
  });

  it('leaves out references, onset, expires and polygon when there are none', () => {
    // Act
    const xml = renderCapAlert(plannedShutoff);
    // Assess
    assertWellFormed(xml);
    expect(texts(xml, 'msgType')).toEqual(['Alert']);
    expect(texts(xml, 'category')).toEqual(['Infra']);
    expect(texts(xml, 'language')).toEqual(['fi-FI']);
    expect(xml).not.toMatch(/<references>|<onset>|<expires>|<polygon>/);
    expect(texts(xml, 'areaDesc')).toEqual(['Kauppakatu 1-9']);
  });

  it('lists several references as space-separated triplets', () => {
    // Prepare
    const cancel: CapAlertInput = {
      ...plannedShutoff,
      msgType: 'Cancel',
      references: [
        { sender, identifier: 'a-1', sent: new Date('2026-11-20T10:00:00Z') },
        { sender, identifier: 'a-2', sent: new Date('2026-11-21T10:00:00.500Z') },
      ],
    };
    // Act
    const xml = renderCapAlert(cancel);
    // Assess
    expect(texts(xml, 'references')).toEqual([`${sender},a-1,2026-11-20T10:00:00-00:00 ${sender},a-2,2026-11-21T10:00:00-00:00`]);
  });

  it('escapes every text and survives a round trip', () => {
    // Prepare
    const tricky = `<script>alert("x")</script> & 'quotes' ]]> \u0007bell`;
    const input: CapAlertInput = {
      ...plannedShutoff,
      infos: [{ ...plannedShutoff.infos[0]!, headline: tricky, description: tricky, event: tricky, contact: tricky }],
      area: { areaDesc: tricky },
    };
    // Act
    const xml = renderCapAlert(input);
    // Assess
    assertWellFormed(xml);
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('\u0007');
    expect(texts(xml, 'headline')).toEqual([tricky.replace('\u0007', '')]);
    expect(texts(xml, 'areaDesc')).toEqual([tricky.replace('\u0007', '')]);
  });

  it.each([
    ['an identifier with a space', { identifier: 'out 1' }, 'identifier'],
    ['a sender with a comma', { sender: 'a,b' }, 'sender'],
    ['an update without references', { msgType: 'Update' as const }, 'references'],
    ['two infos in one language', { infos: [plannedShutoff.infos[0]!, plannedShutoff.infos[0]!] }, 'infos.1.language'],
  ])('refuses %s', (_, overrides, path) => {
    // Prepare
    const input: CapAlertInput = { ...plannedShutoff, ...overrides };
    // Act
    let error: unknown;
    try {
      renderCapAlert(input);
    } catch (caught) {
      error = caught;
    }
    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.path)).toContain(path);
  });
});

describe('capPolygon', () => {
  it('keeps a closed ring as it is, dropping holes', () => {
    // Prepare
    const polygon = {
      type: 'Polygon' as const,
      coordinates: [
        [[10.75, 59.91], [10.76, 59.91], [10.76, 59.92], [10.75, 59.91]] as [number, number][],
        [[10.755, 59.912], [10.756, 59.912], [10.756, 59.913], [10.755, 59.912]] as [number, number][],
      ],
    };
    // Act
    const text = capPolygon(polygon);
    // Assess
    expect(text).toBe('59.91,10.75 59.91,10.76 59.92,10.76 59.91,10.75');
  });

  it.each([
    ['too few corners', [[10.75, 59.91], [10.76, 59.91], [10.75, 59.91]]],
    ['a latitude out of range (lat/lon swapped)', [[59.91, 100.75], [59.91, 100.76], [59.92, 100.76]]],
  ])('refuses %s', (_, ring) => {
    // Act / Assess
    expect(() => capPolygon({ type: 'Polygon', coordinates: [ring as [number, number][]] })).toThrow(ValidationError);
  });
});

describe('renderCapAtomFeed', () => {
  const feed = {
    id: `urn:cap:${sender}:ongoing-works`,
    title: 'Kalmar Vatten',
    author: 'Kalmar Vatten',
    updated: new Date('2026-11-24T09:30:15.987Z'),
    web: 'https://kalmarvatten.se/driftinfo',
    entries: [
      { identifier: 'kalmarvatten-out_01J8-1', sender, title: 'Koka vattnet', summary: 'Koka vattnet i 3 minuter & vänta.', updated: new Date('2026-11-24T09:30:15Z') },
      { identifier: 'kalmarvatten-out_01J9', sender, title: 'Planerat avbrott', summary: 'Vattnet stängs av.', updated: new Date('2026-11-23T07:00:00Z') },
    ],
  };

  it('is an Atom feed (no CAP container) with one entry per alert linking to its own CAP document', () => {
    // Act
    const xml = renderCapAtomFeed(feed);
    // Assess
    assertWellFormed(xml);
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(xml).not.toContain('<alerts>');
    expect(xml).not.toContain('<alert ');
    expect(texts(xml, 'updated')).toEqual(['2026-11-24T09:30:15Z', '2026-11-24T09:30:15Z', '2026-11-23T07:00:00Z']);
    expect([...xml.matchAll(/<link rel="alternate" type="application\/cap\+xml" href="([^"]+)"\/>/g)].map((m) => m[1])).toEqual([
      'alerts/kalmarvatten-out_01J8-1.cap',
      'alerts/kalmarvatten-out_01J9.cap',
    ]);
    expect(texts(xml, 'summary')).toEqual(['Koka vattnet i 3 minuter & vänta.', 'Vattnet stängs av.']);
  });

  it('refuses an identifier a CAP consumer could not reference, naming the entry', () => {
    // Act
    let error: unknown;
    try {
      renderCapAtomFeed({ ...feed, entries: [feed.entries[0]!, { ...feed.entries[1]!, identifier: 'bad id' }] });
    } catch (caught) {
      error = caught;
    }
    // Assess
    expect((error as ValidationError).errors.map((e) => e.path)).toEqual(['entries.1.identifier']);
  });
});

describe('CAP 1.2 XML schema (OASIS CAP-v1.2.xsd, test/fixtures/cap)', () => {
  const schema = readFileSync(new URL('../../fixtures/cap/CAP-v1.2.xsd', import.meta.url), 'utf8');
  const validate = (xml: string) => validateXML({ xml: [{ fileName: 'alert.xml', contents: xml }], schema: [{ fileName: 'CAP-v1.2.xsd', contents: schema }] });

  it.each([
    ['an Alert with a polygon', plannedShutoff],
    ['an Update referencing two earlier messages, four languages', {
      ...boilWater,
      references: [
        { sender, identifier: 'kalmarvatten-out_01J8', sent: new Date('2026-11-24T08:00:00Z') },
        { sender, identifier: 'kalmarvatten-out_01J8-1', sent: new Date('2026-11-24T08:45:00Z') },
      ],
    }],
    ['a Cancel', { ...plannedShutoff, msgType: 'Cancel' as const, identifier: 'kalmarvatten-out_01J9-1', references: [{ sender, identifier: 'kalmarvatten-out_01J9', sent: new Date('2026-11-23T07:00:00Z') }] }],
  ])('validates %s', async (_case, input) => {
    // Act
    const result = await validate(renderCapAlert(input));
    // Assess
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is a real check: a document in the old <alerts> container, or with CAP elements out of order, is refused', async () => {
    // Prepare
    const alert = renderCapAlert(plannedShutoff).replace(/^<\?xml[^>]*>\n/, '');
    const wrapped = `<?xml version="1.0" encoding="UTF-8"?>\n<alerts>\n${alert}</alerts>\n`;
    const reordered = renderCapAlert(plannedShutoff).replace(/(<status>Actual<\/status>)(\s*)(<msgType>[^<]*<\/msgType>)/, '$3$2$1');
    // Act
    const [container, order] = [await validate(wrapped), await validate(reordered)];
    // Assess
    expect(container.valid).toBe(false);
    expect(order.valid).toBe(false);
  });
});

describe('defaults', () => {
  it.each([
    ['leak', 'Infra', 'Moderate'],
    ['planned_shutoff', 'Infra', 'Minor'],
    ['works_schedule', 'Infra', 'Minor'],
    ['contamination', 'Health', 'Severe'],
    ['flood_risk', 'Met', 'Severe'],
    ['traffic', 'Transport', 'Minor'],
  ] as const)('%s: CAP category %s, severity %s', (category: OutageCategory, capCategory, severity) => {
    // Act
    const xml = renderCapAlert({ ...plannedShutoff, category });
    // Assess
    expect(texts(xml, 'category')).toEqual([capCategory]);
    expect(defaultCapSeverity(category)).toBe(severity);
  });

  it('derives urgency from the start time and the category', () => {
    // Prepare
    const now = new Date('2026-11-24T10:00:00Z');
    // Act / Assess
    expect(defaultCapUrgency('leak', undefined, now)).toBe('Immediate');
    expect(defaultCapUrgency('contamination', new Date('2026-11-24T09:00:00Z'), now)).toBe('Immediate');
    expect(defaultCapUrgency('planned_shutoff', new Date('2026-11-24T10:30:00Z'), now)).toBe('Expected');
    expect(defaultCapUrgency('planned_shutoff', new Date('2026-11-26T07:00:00Z'), now)).toBe('Future');
    expect(defaultCapUrgency('flood_risk', new Date('2026-11-24T12:00:00Z'), now)).toBe('Future');
  });

  it('escapes the five XML specials', () => {
    // Act / Assess
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
