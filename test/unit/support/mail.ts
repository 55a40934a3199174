/** Test mail: spam messages shaped as our MTAs store them. */

/** A spam message as an MTA would store it: our MX, the spammer's hop, then the message. */
export function spamMessage(options: { source?: string; subject?: string; date?: string; body?: string; html?: string; messageId?: string; received?: string[] } = {}): string {
  const received = options.received ?? [
    'Received: from mx1.bl.example (mx1.bl.example [10.1.1.2])\r\n\tby store.bl.example (Postfix) with LMTP id 1; Thu, 26 Nov 2026 10:00:02 +0000',
    `Received: from bulk-mailer (unknown [${options.source ?? '185.220.101.33'}])\r\n\tby mx1.bl.example (Postfix) with ESMTP id 2; Thu, 26 Nov 2026 10:00:01 +0000`,
  ];
  const headers = [
    ...received,
    'From: "Prize Desk" <winner@prize.example>',
    'To: trap@bl.example',
    `Subject: ${options.subject ?? 'You have won'}`,
    `Date: ${options.date ?? 'Thu, 26 Nov 2026 10:00:00 +0000'}`,
    `Message-ID: <${options.messageId ?? 'm1'}@prize.example>`,
    'MIME-Version: 1.0',
  ];
  if (options.html !== undefined) {
    return [...headers, 'Content-Type: text/html; charset=utf-8', '', options.html, ''].join('\r\n');
  }
  return [...headers, 'Content-Type: text/plain; charset=utf-8', '', options.body ?? 'Claim your prize at http://prize.example/claim now.', ''].join('\r\n');
}
