// The errno name of a failed system call ('ENOENT', 'EAGAIN', …), or undefined for any other error.

export function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
