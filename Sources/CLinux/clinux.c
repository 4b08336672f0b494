#define _GNU_SOURCE
#include "clinux.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

int clinux_openat2_beneath(int dirfd, const char *path, uint64_t flags, int no_xdev) {
#ifdef SYS_openat2
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = flags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  if (no_xdev) how.resolve |= RESOLVE_NO_XDEV;
  return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
#else
  errno = ENOSYS;
  return -1;
#endif
}

int clinux_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd,
                            const char *newpath) {
  return renameat2(olddirfd, oldpath, newdirfd, newpath, RENAME_NOREPLACE);
}

int clinux_kernel_has_openat2(void) {
  int fd = clinux_openat2_beneath(AT_FDCWD, ".", O_PATH | O_CLOEXEC, 0);
  if (fd >= 0) {
    close(fd);
    return 1;
  }
  return errno != ENOSYS;
}

static int mount_id_at(int dirfd, const char *path, int flags, uint64_t *mount_id) {
  struct statx buffer;
  if (statx(dirfd, path, flags | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &buffer) != 0) return -1;
  if (!(buffer.stx_mask & STATX_MNT_ID)) {
    errno = ENOSYS;
    return -1;
  }
  *mount_id = buffer.stx_mnt_id;
  return 0;
}

int clinux_lstat_cached(int dirfd, const char *path, struct stat *out) {
  struct statx buffer;
  int flags = AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC;
  if (statx(dirfd, path, flags, STATX_BASIC_STATS, &buffer) != 0) return -1;
  memset(out, 0, sizeof *out);
  out->st_dev = makedev(buffer.stx_dev_major, buffer.stx_dev_minor);
  out->st_ino = buffer.stx_ino;
  out->st_mode = buffer.stx_mode;
  out->st_nlink = buffer.stx_nlink;
  out->st_uid = buffer.stx_uid;
  out->st_gid = buffer.stx_gid;
  out->st_rdev = makedev(buffer.stx_rdev_major, buffer.stx_rdev_minor);
  out->st_size = (off_t)buffer.stx_size;
  out->st_blksize = (blksize_t)buffer.stx_blksize;
  out->st_blocks = (blkcnt_t)buffer.stx_blocks;
  out->st_mtim.tv_sec = buffer.stx_mtime.tv_sec;
  out->st_mtim.tv_nsec = buffer.stx_mtime.tv_nsec;
  return 0;
}

/* Closes every descriptor of a forked child except `keep`, so a child stuck in the kernel
   keeps no pipe of the parent's (such as its standard output) open. */
static void close_all_but(int keep) {
  for (int fd = 0; fd < 4096; fd++) {
    if (fd != keep) close(fd);
  }
}

/* Work for a forked child: returns 0 on success, or the 1-based number of the step that
   failed with errno set. It may call only async-signal-safe functions. */
typedef int (*child_work)(const void *argument);

/* Runs `work` in a forked child and waits up to `timeout_ms` for its result. Returns 0, or the
   failed step's number with `*child_errno` set; -1 with errno set when the child could not be
   started (errno from pipe2 or fork), reported nothing (ECHILD) or did not
   report in time (ETIMEDOUT), in which case it is left running: a child stuck in the kernel
   cannot be killed while it waits there. */
static int run_in_child(child_work work, const void *argument, int timeout_ms,
                        int *child_errno) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return -1;
  pid_t child = fork();
  if (child < 0) {
    int saved = errno;
    close(report[0]);
    close(report[1]);
    errno = saved;
    return -1;
  }
  if (child == 0) {
    /* Only async-signal-safe calls from here on: the parent may have other threads. */
    close_all_but(report[1]);
    int result[2] = {work(argument), 0};
    result[1] = result[0] ? errno : 0;
    (void)!write(report[1], result, sizeof result);
    _exit(result[0] ? 1 : 0);
  }
  close(report[1]);
  struct pollfd ready = {.fd = report[0], .events = POLLIN};
  int polled;
  do {
    polled = poll(&ready, 1, timeout_ms);
  } while (polled < 0 && errno == EINTR);
  if (polled == 0) {
    close(report[0]);
    errno = ETIMEDOUT;
    return -1;
  }
  int result[2] = {0, 0};
  ssize_t got;
  do {
    got = read(report[0], result, sizeof result);
  } while (got < 0 && errno == EINTR);
  close(report[0]);
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (got != (ssize_t)sizeof result) {
    errno = ECHILD;
    return -1;
  }
  *child_errno = result[1];
  return result[0];
}

struct unmount_request {
  const char *namespace_path;
  const char *target;
};

static int unmount_work(const void *argument) {
  const struct unmount_request *request = argument;
  int fd = request->namespace_path ? open(request->namespace_path, O_RDONLY | O_CLOEXEC) : -2;
  if (fd == -1) return 1;
  if (fd >= 0 && setns(fd, CLONE_NEWNS) != 0) return 2;
  if (umount2(request->target, UMOUNT_NOFOLLOW) != 0) return 3;
  return 0;
}

int clinux_unmount_in_child(const char *namespace_path, const char *target, int timeout_ms,
                            const char **failed_call) {
  static const char *const calls[] = {"none", "open", "setns", "umount2"};
  struct unmount_request request = {namespace_path, target};
  int child_errno = 0;
  int step = run_in_child(unmount_work, &request, timeout_ms, &child_errno);
  if (step < 0) {
    *failed_call = errno == ETIMEDOUT ? "umount2" : "fork";
    return -1;
  }
  if (step > 0) {
    *failed_call = calls[step];
    errno = child_errno;
    return -1;
  }
  return 0;
}

int clinux_fd_mount_id(int fd, uint64_t *mount_id) {
  return mount_id_at(fd, "", AT_EMPTY_PATH, mount_id);
}

int clinux_path_mount_id(const char *path, uint64_t *mount_id) {
  return mount_id_at(AT_FDCWD, path, 0, mount_id);
}

static int probe_write_work(const void *argument) {
  const char *probe_path = argument;
  if (mkdir(probe_path, 0700) != 0 && errno != EEXIST) return 1;
  if (rmdir(probe_path) != 0) return 2;
  return 0;
}

int clinux_probe_write_in_child(const char *probe_path, int timeout_ms) {
  int child_errno = 0;
  int step = run_in_child(probe_write_work, probe_path, timeout_ms, &child_errno);
  if (step < 0) return -1;
  if (step > 0) {
    errno = child_errno;
    return -1;
  }
  return 0;
}
