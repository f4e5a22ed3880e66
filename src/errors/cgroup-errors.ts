// Errors of cgroup v2 work: a file of the cgroup filesystem that could not be read, written, made or removed.

/**
 * `CGROUP_IO`: a call on the cgroup filesystem failed (`errno` says which way: EBUSY, ENOENT, EACCES, EOPNOTSUPP, …).
 * `CGROUP_UNAVAILABLE`: no usable cgroup v2 directory (not mounted, read-only, not ours to write).
 * `CGROUP_LIMIT_NOT_ENFORCED`: `--require-cgroup` and a limit the kernel cannot enforce here.
 */
export type CgroupErrorCode = 'CGROUP_IO' | 'CGROUP_UNAVAILABLE' | 'CGROUP_LIMIT_NOT_ENFORCED';

export class CgroupError extends Error {
  override name = 'CgroupError';
  constructor(
    readonly code: CgroupErrorCode,
    message: string,
    /** The errno name of the failed call ('EBUSY', …), when one failed. */
    readonly errno: string | null = null,
    /** The file or directory concerned. */
    readonly path: string | null = null,
  ) {
    super(message);
  }
}
