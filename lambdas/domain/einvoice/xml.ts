/** A small, safe XML writer for the e-invoice generators: every text and attribute is escaped. */

export type XmlNode = string | null | undefined | false | XmlNode[];

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // Characters XML 1.0 cannot carry at all (C0 controls but tab, LF, CR).
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}

const flatten = (node: XmlNode): string[] => (Array.isArray(node) ? node.flatMap(flatten) : node ? [node] : []);

/** `<name a="1">text</name>`; a `null`/`undefined` text leaves the element out. */
export function leaf(name: string, text: string | number | null | undefined, attributes: Record<string, string | undefined> = {}): string | null {
  if (text === null || text === undefined) return null;
  return `<${name}${attrs(attributes)}>${escapeXml(String(text))}</${name}>`;
}

/** `<name>children</name>`; no children leaves the element out. */
export function node(name: string, children: XmlNode, attributes: Record<string, string | undefined> = {}): string | null {
  const inner = flatten(children);
  if (inner.length === 0) return null;
  return `<${name}${attrs(attributes)}>\n${inner.map((line) => indent(line)).join('\n')}\n</${name}>`;
}

export function document(root: string | null): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root ?? ''}\n`;
}

function attrs(attributes: Record<string, string | undefined>): string {
  return Object.entries(attributes)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
