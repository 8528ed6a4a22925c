/**
 * Print one protocol line on stdout and resolve once Node handed it to the kernel. A crash test's
 * announcement must be in the pipe before the write it announces starts: on a loaded machine the
 * parent reads late, the pipe fills, Node queues the line in memory, and a SIGKILL would drop an
 * announcement whose write had landed (a "never announced" batch that is the harness's fault).
 */
export function printLine(line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(`${line}\n`, (error) => (error ? reject(error) : resolve()));
  });
}
