/** The letters the utility sends (issue 12; docs/DOCUMENTS.md). */
export * from './kinds.js';
export { renderDocument, type RenderOptions } from './render.js';
export { renderForwardingEnvelope, FORWARDING_SERVICE, type ForwardingOptions, type ForwardingEnvelopeInput } from './envelope.js';
export { textsFor, formatMoney, listServices } from './texts.js';
