/**
 * Asking the person at the terminal: a line of input, hidden for passphrases (never echoed,
 * never taken from the command line where `ps` and the shell history would keep it). From a
 * pipe, each question takes the next line.
 */
import { createInterface } from 'node:readline';

export type Prompt = (question: string, options?: { readonly hidden?: boolean }) => Promise<string>;

let pipedLines: AsyncIterator<string> | null = null;

async function nextPipedLine(): Promise<string> {
  pipedLines ??= createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
  const next = await pipedLines.next();
  if (next.done) throw new Error('no more input: the question was not answered');
  return next.value;
}

/** Read one line from the terminal in raw mode; a hidden answer is not echoed at all. */
function readTerminalLine(hidden: boolean): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (error: Error | null) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n' || character === '\u0004') return finish(null);
        if (character === '\u0003') return finish(new Error('cancelled'));
        if (character === '\u007f' || character === '\b') {
          if (text.length > 0 && !hidden) process.stderr.write('\b \b');
          text = [...text].slice(0, -1).join('');
        } else {
          text += character;
          if (!hidden) process.stderr.write(character);
        }
      }
    };
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.resume();
    input.on('data', onData);
  });
}

/** Ask on stderr (stdout is the command's output) and read the answer from the terminal or a pipe. */
export const promptTerminal: Prompt = async (question, options = {}) => {
  process.stderr.write(question);
  if (process.stdin.isTTY) return readTerminalLine(options.hidden === true);
  const line = await nextPipedLine();
  process.stderr.write('\n');
  return line;
};
