/**
 * Hostile messages, built as spammers and attackers shape them: MIME nested 1,000 levels deep,
 * a 10 MB header, 100,000 parts, a zip bomb attached, and HTML that tries every way of loading
 * or running something. Each is a complete, readable message (so it must be stored).
 */
import { createDeflateRaw, crc32 } from 'node:zlib';

const HEAD = [
  'Received: from bulk-mailer (unknown [185.220.101.33])\r\n\tby mx1.bl.example (Postfix) with ESMTP id 2; Thu, 26 Nov 2026 10:00:01 +0000',
  'From: "Prize Desk" <winner@prize.example>',
  'To: trap@bl.example',
  'Date: Thu, 26 Nov 2026 10:00:00 +0000',
  'MIME-Version: 1.0',
].join('\r\n');

/** `depth` multiparts, each the only part of the one above, a text part at the bottom. */
export function deeplyNested(depth: number): Buffer {
  const lines = [HEAD, `Subject: nested ${depth} levels`, `Message-ID: <nested-${depth}@prize.example>`, 'Content-Type: multipart/mixed; boundary="b0"', ''];
  for (let level = 0; level < depth; level += 1) lines.push(`--b${level}`, `Content-Type: multipart/mixed; boundary="b${level + 1}"`, '');
  lines.push(`--b${depth}`, 'Content-Type: text/plain', '', 'the bottom of the nest', `--b${depth}--`);
  for (let level = depth - 1; level >= 0; level -= 1) lines.push(`--b${level}--`);
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}

/** A header block of about `bytes`: one header folded over many lines, as a flood of junk. */
export function hugeHeader(bytes: number): Buffer {
  const fold = `\r\n\t${'x'.repeat(72)}`;
  return Buffer.from(`${HEAD}\r\nSubject: a huge header\r\nMessage-ID: <huge@prize.example>\r\nX-Junk: start${fold.repeat(Math.ceil(bytes / fold.length))}\r\nContent-Type: text/plain\r\n\r\nbody after the huge header\r\n`);
}

/** One multipart with `count` small text parts. */
export function manyParts(count: number): Buffer {
  const parts: string[] = [];
  for (let index = 0; index < count; index += 1) parts.push(`--P\r\nContent-Type: text/plain\r\n\r\npart ${index}\r\n`);
  return Buffer.from(`${HEAD}\r\nSubject: ${count} parts\r\nMessage-ID: <parts-${count}@prize.example>\r\nContent-Type: multipart/mixed; boundary="P"\r\n\r\n${parts.join('')}--P--\r\n`);
}

/** A ZIP holding one file of `inflated` zero bytes, deflated: kilobytes that would expand a thousandfold. */
export async function zipBomb(inflated: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  const zeros = Buffer.alloc(1 << 20);
  let crc = 0;
  for (let written = 0; written < inflated; written += zeros.length) {
    crc = crc32(zeros, crc);
    if (!deflate.write(zeros)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  const data = Buffer.concat(chunks);
  const name = Buffer.from('zeros.bin');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc >>> 0, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(inflated >>> 0, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(inflated >>> 0, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(local.length + name.length + data.length, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}

/** A message with `zip` attached as a ZIP archive. */
export function withZipAttachment(zip: Buffer): Buffer {
  const base64 = zip.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      HEAD,
      'Subject: your invoice',
      'Message-ID: <zip@prize.example>',
      'Content-Type: multipart/mixed; boundary="Z"',
      '',
      '--Z',
      'Content-Type: text/plain',
      '',
      'See the attached invoice.',
      '--Z',
      'Content-Type: application/zip; name="invoice.zip"',
      'Content-Disposition: attachment; filename="invoice.zip"',
      'Content-Transfer-Encoding: base64',
      '',
      base64,
      '--Z--',
      '',
    ].join('\r\n'),
  );
}

/**
 * HTML that tries every way to load or run something, aimed at `witness` (a server the test runs,
 * standing in for a remote host) and at remote trackers: scripts, remote and srcset images, CSS
 * url() in a style sheet, a style attribute and @import, <meta refresh>, frames, objects, forms,
 * SVG with a script and an onload handler, and `canary` calls a running script would make.
 */
export function hostileHtml(witness: string): string {
  return [
    `<html><head><script src="http://evil.example/x.js"></script><script src="${witness}/script.js"></script><link rel="stylesheet" href="${witness}/style.css">`,
    `<style>@import url("${witness}/import.css"); body { background: url(${witness}/css-background.png) } p::after { content: url('${witness}/after.png') }</style>`,
    `<meta http-equiv="refresh" content="0;url=${witness}/refresh"><base href="${witness}/base/"></head>`,
    `<body style="background:url(${witness}/background.png)" onload="parent.postMessage('canary:onload', '*')"><p style="color:#c00">Hello <b>winner</b></p>`,
    `<img src="http://tracker.example/pixel.gif?id=42" width="1" height="1"><img src="${witness}/pixel.gif"><img srcset="${witness}/set.png 2x"><img src="x" onerror="parent.postMessage('canary:onerror', '*')">`,
    `<svg xmlns="http://www.w3.org/2000/svg" onload="parent.postMessage('canary:svg-onload', '*')"><script>parent.postMessage('canary:svg', '*'); fetch("${witness}/svg-beacon")</script><image href="${witness}/svg-image.png"/></svg>`,
    `<iframe src="${witness}/frame"></iframe><video poster="${witness}/poster.png"></video><object data="${witness}/object"></object><embed src="${witness}/embed">`,
    `<a href="http://phish.example/login">Your bank</a><form action="${witness}/post"><input name="q"></form>`,
    `<script>parent.postMessage('canary:script', '*'); fetch("${witness}/beacon"); new Image().src = "${witness}/script-image.png"</script></body></html>`,
  ].join('');
}

/** A message whose only body is `html`. */
export function htmlMessage(html: string, subject = 'You have won a prize'): Buffer {
  return Buffer.from([HEAD, `Subject: ${subject}`, `Message-ID: <html-${subject.length}@prize.example>`, 'Content-Type: text/html; charset=utf-8', '', html, ''].join('\r\n'));
}
