#ifndef LAYERSWEEP_CLINUX_H
#define LAYERSWEEP_CLINUX_H

#include <stdint.h>
#include <sys/types.h>

struct stat;

/// Calls openat2(2) through syscall(2) with RESOLVE_BENEATH, RESOLVE_NO_SYMLINKS and
/// RESOLVE_NO_MAGICLINKS, and RESOLVE_NO_XDEV when `no_xdev` is nonzero. Returns the fd, or
/// -1 with errno set (ENOSYS on kernels before 5.6).
int clinux_openat2_beneath(int dirfd, const char *path, uint64_t flags, int no_xdev);

/// Calls renameat2(2) with RENAME_NOREPLACE. Returns 0, or -1 with errno set.
int clinux_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd,
                            const char *newpath);

/// Reads the mount id of an open file with statx(2) STATX_MNT_ID. Returns 0, or -1 with errno
/// set (ENOSYS when the kernel does not report mount ids, before Linux 5.8).
int clinux_fd_mount_id(int fd, uint64_t *mount_id);

/// Reads the mount id of `path` with statx(2) STATX_MNT_ID, without following a final
/// symlink. Returns 0, or -1 with errno set.
int clinux_path_mount_id(const char *path, uint64_t *mount_id);

/// Fills `out` like fstatat(2) with AT_SYMLINK_NOFOLLOW, but through statx(2) with
/// AT_STATX_DONT_SYNC, so a network or FUSE filesystem returns its cached attributes and a
/// hung server cannot block the call (checked on Linux 6.18 with a FUSE server that never
/// replies). Only the fields statx(2) reports are set. Returns 0, or -1 with errno set.
int clinux_lstat_cached(int dirfd, const char *path, struct stat *out);

/// Returns 1 when the running kernel implements openat2(2), else 0.
int clinux_kernel_has_openat2(void);

/// Unmounts `target` with umount2(UMOUNT_NOFOLLOW), never MNT_DETACH, from a forked child, so
/// a umount2 stuck on a hung filesystem cannot hang the caller. With a non-NULL
/// `namespace_path` (such as /proc/<pid>/ns/mnt) the child first enters that mount namespace
/// with setns(2), and the caller's namespace never changes. Returns 0, or -1 with errno set and
/// `*failed_call` set to "open", "setns", "umount2", "fork" or "pipe". After `timeout_ms`
/// milliseconds without a result it returns -1 with ETIMEDOUT and leaves the child running.
int clinux_unmount_in_child(const char *namespace_path, const char *target, int timeout_ms,
                            const char **failed_call);

/// Creates and removes the directory `probe_path` from a forked child, so a write stuck on a
/// frozen or hung filesystem cannot hang the caller. Returns 0 when both calls finished (an
/// existing directory counts as success), or -1 with errno set: ETIMEDOUT after `timeout_ms`
/// milliseconds without a result, in which case the child is left running.
int clinux_probe_write_in_child(const char *probe_path, int timeout_ms);

#endif
