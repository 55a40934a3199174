/**
 * Sanitising a spam message's HTML for viewing. Spam is hostile: the viewer shows it in a
 * sandboxed frame whose policy blocks every script and remote load, and this is the second wall.
 * The HTML is parsed by htmlparser2 and written out again from an allow-list: layout and text
 * tags with harmless attributes only (legacy presentation attributes such as bgcolor and align,
 * but no inline style: the app's own policy, which the frame inherits, refuses inline styles, and
 * each refusal would be a console error), no script, style sheet, frame, form, meta or base; an
 * image keeps its source only when it is a data: URL; a link keeps its text but loses its target
 * (a click could otherwise navigate the frame), and the targets are returned beside the HTML so
 * the viewer can offer them behind a confirmation that shows the real address.
 */
import { Parser } from 'htmlparser2';
import type { SampleLink } from '../../../shared/evidence.js';

const ALLOWED_TAGS = new Set([
  'a', 'abbr', 'address', 'article', 'b', 'big', 'blockquote', 'br', 'caption', 'center', 'cite', 'code', 'col', 'colgroup', 'dd', 'del', 'div', 'dl',
  'dt', 'em', 'figcaption', 'figure', 'font', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'main',
  'mark', 'ol', 'p', 'pre', 'q', 's', 'section', 'small', 'span', 'strike', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead',
  'tr', 'tt', 'u', 'ul',
]);
/** Dropped with everything inside them (their content is code or metadata, not something to read). */
const DROPPED_WITH_CONTENT = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'svg', 'math', 'head', 'title', 'xml']);
const VOID_TAGS = new Set(['br', 'col', 'hr', 'img']);
const ALLOWED_ATTRIBUTES = new Set([
  'align', 'alt', 'bgcolor', 'border', 'cellpadding', 'cellspacing', 'color', 'colspan', 'dir', 'face', 'height', 'lang', 'rowspan', 'size',
  'title', 'valign', 'width',
]);
const MAX_LINKS = 200;

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}

export interface SanitisedHtml {
  readonly html: string;
  readonly links: readonly SampleLink[];
}

/** Sanitise an HTML body (see the module comment). */
export function sanitiseHtml(source: string): SanitisedHtml {
  const output: string[] = [];
  const links: SampleLink[] = [];
  const open: string[] = [];
  let dropDepth = 0;
  let linkText: string[] | null = null;
  let linkTarget: string | null = null;

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (dropDepth > 0) {
          if (DROPPED_WITH_CONTENT.has(name)) dropDepth += 1;
          return;
        }
        if (DROPPED_WITH_CONTENT.has(name)) {
          dropDepth = 1;
          return;
        }
        if (!ALLOWED_TAGS.has(name)) return;
        const kept: string[] = [];
        for (const [attribute, value] of Object.entries(attributes)) {
          if (!ALLOWED_ATTRIBUTES.has(attribute)) continue;
          kept.push(` ${attribute}="${escapeAttribute(value)}"`);
        }
        if (name === 'img') {
          const source = attributes.src ?? '';
          if (/^data:image\/(png|gif|jpeg|webp);base64,[A-Za-z0-9+/=\s]+$/i.test(source)) kept.push(` src="${escapeAttribute(source)}"`);
          else if (source !== '') kept.push(` data-blocked-source="${escapeAttribute(source.slice(0, 500))}"`);
        }
        if (name === 'a') {
          const target = (attributes.href ?? '').trim();
          if (target !== '' && linkText === null) {
            linkText = [];
            linkTarget = target;
            kept.push(' class="repdesk-link"', ` title="${escapeAttribute(`link to ${target.slice(0, 500)}`)}"`);
          }
        }
        output.push(`<${name}${kept.join('')}>`);
        if (!VOID_TAGS.has(name)) open.push(name);
      },
      ontext(text) {
        if (dropDepth > 0) return;
        output.push(escapeText(text));
        if (linkText !== null) linkText.push(text);
      },
      onclosetag(name) {
        if (dropDepth > 0) {
          if (DROPPED_WITH_CONTENT.has(name)) dropDepth -= 1;
          return;
        }
        if (!ALLOWED_TAGS.has(name) || VOID_TAGS.has(name)) return;
        const at = open.lastIndexOf(name);
        if (at === -1) return;
        while (open.length > at) output.push(`</${open.pop()}>`);
        if (name === 'a' && linkText !== null && linkTarget !== null) {
          if (links.length < MAX_LINKS) links.push({ text: linkText.join('').replace(/\s+/g, ' ').trim().slice(0, 300), target: linkTarget });
          linkText = null;
          linkTarget = null;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  parser.write(source);
  parser.end();
  while (open.length > 0) output.push(`</${open.pop()}>`);
  return { html: output.join(''), links };
}

/** Links written out in a text body (http, https, mailto), for the same confirmation. */
export function textLinks(text: string): SampleLink[] {
  const found = new Map<string, SampleLink>();
  for (const match of text.matchAll(/\b(?:https?:\/\/|mailto:)[^\s<>"')\]]+/gi)) {
    if (found.size >= MAX_LINKS) break;
    found.set(match[0], { text: match[0], target: match[0] });
  }
  return [...found.values()];
}

/** Elements after which the text of an HTML body starts a new line. */
const BLOCK_TAGS = new Set(['p', 'div', 'br', 'tr', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'blockquote', 'pre', 'hr', 'section', 'article', 'header', 'footer', 'dt', 'dd']);

/**
 * The readable text of an HTML body, for the text view and the full-text index when a message
 * has no text part: what a reader sees, without scripts, styles or other code, one pass of the
 * same parser, at most `limit` characters (the rest is left out).
 */
export function htmlText(source: string, limit: number): string {
  const output: string[] = [];
  let size = 0;
  let dropDepth = 0;
  const push = (text: string) => {
    if (size >= limit) return;
    const piece = text.slice(0, limit - size);
    output.push(piece);
    size += piece.length;
  };
  const parser = new Parser(
    {
      onopentag(name) {
        if (DROPPED_WITH_CONTENT.has(name)) dropDepth += 1;
        else if (dropDepth === 0 && name === 'br') push('\n');
      },
      ontext(text) {
        if (dropDepth === 0) push(text.replace(/[ \t\r\n]+/g, ' '));
      },
      onclosetag(name) {
        if (DROPPED_WITH_CONTENT.has(name)) dropDepth = Math.max(0, dropDepth - 1);
        else if (dropDepth === 0 && BLOCK_TAGS.has(name)) push('\n');
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.write(source);
  parser.end();
  return output
    .join('')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
