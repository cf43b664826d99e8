import { ChangeNotifier } from '@taawun/domain';

/**
 * One notifier per file and process, shared by every store opened on it, so a
 * follower wakes as soon as any connection of this process commits (other
 * processes are seen by polling).
 */
const byFile = new Map<string, { notifier: ChangeNotifier; users: number }>();

export function acquireNotifier(file: string): { notifier: ChangeNotifier; release: () => void } {
  const entry = byFile.get(file) ?? { notifier: new ChangeNotifier(), users: 0 };
  entry.users++;
  byFile.set(file, entry);
  let released = false;
  return {
    notifier: entry.notifier,
    release: () => {
      if (released) return;
      released = true;
      if (--entry.users === 0 && byFile.get(file) === entry) byFile.delete(file);
    },
  };
}
