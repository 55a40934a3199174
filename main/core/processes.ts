/** Other processes on this computer, as files and records left by RepDesk processes name them. */

/** Whether a process with this pid is running (one we may not signal is running too). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
