/**
 * Asking the owner for secrets: on a terminal, a prompt that does not echo; otherwise one line of stdin per answer
 * (so a rehearsal or a script can pipe the answers in). Never argv, never a file.
 */
import { createInterface, type Interface } from "node:readline";

export interface Prompter {
  /** One line, not echoed on a terminal. Rejects when the input ends before an answer. */
  hidden(question: string): Promise<string>;
  close(): void;
}

/** Reads one line from a terminal in raw mode, without echo. */
export async function promptHidden(question: string, input: NodeJS.ReadStream = process.stdin): Promise<string> {
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding("utf8");
  input.resume();
  let value = "";
  try {
    return await new Promise<string>((resolve, reject) => {
      input.on("data", (chunk: string) => {
        for (const ch of chunk) {
          if (ch === "\r" || ch === "\n") return resolve(value);
          if (ch === "\u0003" || ch === "\u0004") return reject(new Error("cancelled"));
          value = ch === "\u007f" || ch === "\b" ? Array.from(value).slice(0, -1).join("") : value + ch;
        }
      });
    });
  } finally {
    input.removeAllListeners("data");
    input.setRawMode(false);
    input.pause();
    process.stderr.write("\n");
  }
}

export function createPrompter(input: NodeJS.ReadStream = process.stdin): Prompter {
  if (input.isTTY) return { hidden: (question) => promptHidden(question, input), close: () => {} };

  let lines: Interface | undefined;
  const queue: string[] = [];
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  let ended = false;
  const start = () => {
    if (lines) return;
    lines = createInterface({ input, terminal: false });
    lines.on("line", (line) => {
      const next = waiting.shift();
      if (next) next.resolve(line);
      else queue.push(line);
    });
    lines.on("close", () => {
      ended = true;
      for (const next of waiting.splice(0)) next.reject(new Error("stdin ended before every answer was given"));
    });
  };
  return {
    hidden(question) {
      start();
      process.stderr.write(`${question}(read from stdin)\n`);
      const line = queue.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (ended) return Promise.reject(new Error("stdin ended before every answer was given"));
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    close() {
      lines?.close();
    },
  };
}
