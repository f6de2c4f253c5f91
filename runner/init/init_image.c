
/*
 * The compiled state's image: the trees a test may change (init_reset.c
 * names them) written into one file as a flat list of records, and
 * written back from it.  A record is a header (sbx_image_rec_t), the
 * entry's name and its data: a file's bytes or a link's target.  Each
 * tree starts with TOP (its index in the list of trees) and every
 * directory ends with UP, which carries its mode and times: a directory
 * gets them once its entries were made in it.  Directories, regular
 * files, symlinks and FIFOs are kept; hard links come back as separate
 * copies, sockets not at all (nothing can listen on them any more).
 *
 * Both halves run in a child with the program's credentials
 * (sbx_init_as_program(), init_spawn.c), never in init, and only while
 * no program process exists, so nothing can swap a name between its
 * check and its use.  Neither follows a link: every walk goes by
 * directory descriptors, every open has O_NOFOLLOW, and the only names
 * opened are ones just checked (saving) or just created (loading).  A
 * directory's mode and times come back only when the program's uid
 * owned it: a top such as /tmp is not its own.  The image is read as
 * untrusted all the same: every record is bounds-checked, and a name
 * that is empty, has a '/' or is "." or ".." makes it malformed, so
 * nothing is written outside the trees.
 */


#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "init.h"


#define SBX_IMAGE_MAX_DEPTH  64            /* of the saved state */
#define SBX_IMAGE_BUF        65536


/* one entry of the image, followed by its name and its data */
typedef struct {
    uint32_t           type;
    uint32_t           mode;
    uint32_t           own;                 /* the program's uid owns it */
    uint32_t           nlen;                /* name bytes */
    uint64_t           size;                /* file data or link target */
    int64_t            times[4];            /* atime, mtime: sec, nsec */
} sbx_image_rec_t;


enum {
    SBX_IMAGE_TOP = 1,                      /* a tree's root: its index */
    SBX_IMAGE_DIR,
    SBX_IMAGE_UP,                           /* a directory's end: mode */
    SBX_IMAGE_FILE,
    SBX_IMAGE_LINK,
    SBX_IMAGE_FIFO
};


typedef struct {
    int                fd;
    size_t             len;
    u_char             buf[SBX_IMAGE_BUF];
} sbx_image_out_t;


static int sbx_image_save_dir(sbx_image_out_t *o, int dfd, int depth,
    char *err, size_t size);
static int sbx_image_save_entry(sbx_image_out_t *o, int dfd,
    const char *name, struct stat *st, int depth, char *err, size_t size);
static int sbx_image_rec(sbx_image_out_t *o, uint32_t type,
    const char *name, struct stat *st, uint64_t size);
static int sbx_image_put(sbx_image_out_t *o, const void *p, size_t n);
static int sbx_image_flush(sbx_image_out_t *o);
static int sbx_image_parse(const u_char *p, size_t len,
    const char *const *tops, size_t ntops, char *err, size_t size);


/* ---- save -------------------------------------------------------------- */


/*
 * Writes the trees into fd.  The first must exist; a missing one after
 * it is left out of the image (it is empty when it comes back).
 */

int
sbx_init_image_save(int fd, const char *const *tops, size_t ntops,
    char *err, size_t size)
{
    int               dfd, rc;
    size_t            i;
    struct stat       st;
    sbx_image_out_t  *o;

    o = malloc(sizeof(sbx_image_out_t));

    if (o == NULL) {
        return sbx_init_fail(err, size, "out of memory");
    }

    o->fd = fd;
    o->len = 0;

    for (i = 0; i < ntops; i++) {
        dfd = open(tops[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (dfd == -1) {
            if (errno == ENOENT && i > 0) {
                continue;
            }

            return sbx_init_fail(err, size, "%s: %s", tops[i],
                                 strerror(errno));
        }

        if (fstat(dfd, &st) == -1
            || sbx_image_rec(o, SBX_IMAGE_TOP, "", &st, i) != SBX_INIT_OK)
        {
            return sbx_init_fail(err, size, "%s: %s", tops[i],
                                 strerror(errno));
        }

        rc = sbx_image_save_dir(o, dfd, 0, err, size);

        if (rc != SBX_INIT_OK) {
            return rc;
        }

        if (sbx_image_rec(o, SBX_IMAGE_UP, "", &st, 0) != SBX_INIT_OK) {
            return sbx_init_fail(err, size, "image: %s", strerror(errno));
        }
    }

    if (sbx_image_flush(o) != SBX_INIT_OK) {
        return sbx_init_fail(err, size, "image: %s", strerror(errno));
    }

    return SBX_INIT_OK;
}


/* The entries of one directory; closes dfd. */

static int
sbx_image_save_dir(sbx_image_out_t *o, int dfd, int depth, char *err,
    size_t size)
{
    int             rc;
    DIR            *dir;
    struct stat     st;
    struct dirent  *de;

    dir = fdopendir(dfd);

    if (dir == NULL) {
        close(dfd);
        return sbx_init_fail(err, size, "opendir: %s", strerror(errno));
    }

    rc = SBX_INIT_OK;

    for ( ;; ) {
        errno = 0;
        de = readdir(dir);

        if (de == NULL) {
            if (errno) {
                rc = sbx_init_fail(err, size, "readdir: %s",
                                   strerror(errno));
            }

            break;
        }

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }

        if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
        {
            rc = sbx_init_fail(err, size, "%s: %s", de->d_name,
                               strerror(errno));
            break;
        }

        rc = sbx_image_save_entry(o, dirfd(dir), de->d_name, &st, depth,
                                  err, size);

        if (rc != SBX_INIT_OK) {
            break;
        }
    }

    closedir(dir);

    return rc;
}


static int
sbx_image_save_entry(sbx_image_out_t *o, int dfd, const char *name,
    struct stat *st, int depth, char *err, size_t size)
{
    int      fd, rc;
    char     target[PATH_MAX];
    ssize_t  n;

    if (S_ISDIR(st->st_mode)) {
        if (depth >= SBX_IMAGE_MAX_DEPTH) {
            return sbx_init_fail(err, size, "%s: deeper than %d levels",
                                 name, SBX_IMAGE_MAX_DEPTH);
        }

        fd = openat(dfd, name,
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd == -1) {
            return sbx_init_fail(err, size, "%s: %s", name,
                                 strerror(errno));
        }

        if (sbx_image_rec(o, SBX_IMAGE_DIR, name, st, 0) != SBX_INIT_OK) {
            close(fd);
            return sbx_init_fail(err, size, "image: %s", strerror(errno));
        }

        rc = sbx_image_save_dir(o, fd, depth + 1, err, size);

        if (rc != SBX_INIT_OK) {
            return rc;
        }

        if (sbx_image_rec(o, SBX_IMAGE_UP, "", st, 0) != SBX_INIT_OK) {
            return sbx_init_fail(err, size, "image: %s", strerror(errno));
        }

        return SBX_INIT_OK;
    }

    if (S_ISLNK(st->st_mode)) {
        n = readlinkat(dfd, name, target, sizeof(target));

        if (n < 0 || n == sizeof(target)) {
            return sbx_init_fail(err, size, "%s: readlink: %s", name,
                                 n < 0 ? strerror(errno) : "too long");
        }

        if (sbx_image_rec(o, SBX_IMAGE_LINK, name, st, n) != SBX_INIT_OK
            || sbx_image_put(o, target, n) != SBX_INIT_OK)
        {
            return sbx_init_fail(err, size, "image: %s", strerror(errno));
        }

        return SBX_INIT_OK;
    }

    if (S_ISFIFO(st->st_mode)) {
        if (sbx_image_rec(o, SBX_IMAGE_FIFO, name, st, 0) != SBX_INIT_OK) {
            return sbx_init_fail(err, size, "image: %s", strerror(errno));
        }

        return SBX_INIT_OK;
    }

    if (!S_ISREG(st->st_mode)) {
        return SBX_INIT_OK;
    }

    fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd == -1) {
        return sbx_init_fail(err, size, "%s: %s", name, strerror(errno));
    }

    if (sbx_image_rec(o, SBX_IMAGE_FILE, name, st, st->st_size)
        != SBX_INIT_OK)
    {
        close(fd);
        return sbx_init_fail(err, size, "image: %s", strerror(errno));
    }

    /* exactly st_size bytes: nothing else writes to the file now */

    rc = SBX_INIT_OK;

    while (o->len < SBX_IMAGE_BUF) {
        n = read(fd, o->buf + o->len, SBX_IMAGE_BUF - o->len);

        if (n <= 0) {
            if (n < 0) {
                rc = sbx_init_fail(err, size, "%s: %s", name,
                                   strerror(errno));
            }

            break;
        }

        o->len += n;

        if (o->len == SBX_IMAGE_BUF && sbx_image_flush(o) != SBX_INIT_OK) {
            rc = sbx_init_fail(err, size, "image: %s", strerror(errno));
            break;
        }
    }

    close(fd);

    return rc;
}


static int
sbx_image_rec(sbx_image_out_t *o, uint32_t type, const char *name,
    struct stat *st, uint64_t size)
{
    sbx_image_rec_t  r;

    memset(&r, 0, sizeof(sbx_image_rec_t));

    r.type = type;
    r.mode = st->st_mode & 07777;
    r.own = (st->st_uid == getuid());
    r.nlen = strlen(name);
    r.size = size;
    r.times[0] = st->st_atim.tv_sec;
    r.times[1] = st->st_atim.tv_nsec;
    r.times[2] = st->st_mtim.tv_sec;
    r.times[3] = st->st_mtim.tv_nsec;

    if (sbx_image_put(o, &r, sizeof(sbx_image_rec_t)) != SBX_INIT_OK) {
        return SBX_INIT_ERROR;
    }

    return sbx_image_put(o, name, r.nlen);
}


static int
sbx_image_put(sbx_image_out_t *o, const void *p, size_t n)
{
    size_t  chunk;

    while (n) {
        if (o->len == SBX_IMAGE_BUF && sbx_image_flush(o) != SBX_INIT_OK) {
            return SBX_INIT_ERROR;
        }

        chunk = SBX_IMAGE_BUF - o->len;

        if (chunk > n) {
            chunk = n;
        }

        memcpy(o->buf + o->len, p, chunk);
        o->len += chunk;
        p = (const u_char *) p + chunk;
        n -= chunk;
    }

    return SBX_INIT_OK;
}


static int
sbx_image_flush(sbx_image_out_t *o)
{
    if (o->len
        && sbx_write_all(o->fd, o->buf, o->len) != (ssize_t) o->len)
    {
        return SBX_INIT_ERROR;
    }

    o->len = 0;

    return SBX_INIT_OK;
}


/* ---- load -------------------------------------------------------------- */


/* Writes the image in fd back into the trees, which are empty. */

int
sbx_init_image_load(int fd, const char *const *tops, size_t ntops,
    char *err, size_t size)
{
    int           rc;
    void         *p;
    struct stat   st;

    if (fstat(fd, &st) == -1) {
        return sbx_init_fail(err, size, "image: %s", strerror(errno));
    }

    if (st.st_size == 0) {
        return SBX_INIT_OK;
    }

    p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);

    if (p == MAP_FAILED) {
        return sbx_init_fail(err, size, "image: mmap: %s", strerror(errno));
    }

    rc = sbx_image_parse(p, st.st_size, tops, ntops, err, size);

    munmap(p, st.st_size);

    return rc;
}


/*
 * One record after the other.  Directories get their mode and times at
 * their end, after their entries were made in them.
 */

static int
sbx_image_parse(const u_char *p, size_t len, const char *const *tops,
    size_t ntops, char *err, size_t size)
{
    int               fd, depth, stack[SBX_IMAGE_MAX_DEPTH + 2];
    char              name[NAME_MAX + 1], target[PATH_MAX];
    size_t            off;
    struct timespec   ts[2];
    sbx_image_rec_t   r;

    depth = 0;
    off = 0;

    while (off < len) {
        if (len - off < sizeof(sbx_image_rec_t)) {
            goto bad;
        }

        memcpy(&r, p + off, sizeof(sbx_image_rec_t));
        off += sizeof(sbx_image_rec_t);

        if (r.nlen > NAME_MAX || len - off < r.nlen) {
            goto bad;
        }

        memcpy(name, p + off, r.nlen);
        name[r.nlen] = '\0';
        off += r.nlen;

        if (len - off < r.size) {
            goto bad;
        }

        ts[0].tv_sec = r.times[0];
        ts[0].tv_nsec = r.times[1];
        ts[1].tv_sec = r.times[2];
        ts[1].tv_nsec = r.times[3];

        if (r.type == SBX_IMAGE_TOP) {
            if (depth != 0 || r.size >= ntops) {
                goto bad;
            }

            fd = open(tops[r.size],
                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

            if (fd == -1) {
                return sbx_init_fail(err, size, "%s: %s", tops[r.size],
                                     strerror(errno));
            }

            stack[depth++] = fd;
            continue;
        }

        if (r.type == SBX_IMAGE_UP) {
            if (depth == 0) {
                goto bad;
            }

            fd = stack[--depth];

            if (r.own
                && (fchmod(fd, r.mode) == -1 || futimens(fd, ts) == -1))
            {
                return sbx_init_fail(err, size, "directory mode: %s",
                                     strerror(errno));
            }

            close(fd);
            continue;
        }

        if (depth == 0 || r.nlen == 0 || strchr(name, '/')
            || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        {
            goto bad;
        }

        fd = stack[depth - 1];

        switch (r.type) {

        case SBX_IMAGE_DIR:
            if (depth > SBX_IMAGE_MAX_DEPTH) {
                goto bad;
            }

            if (mkdirat(fd, name, S_IRWXU) == -1) {
                goto failed;
            }

            fd = openat(fd, name,
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

            if (fd == -1) {
                goto failed;
            }

            stack[depth++] = fd;
            break;

        case SBX_IMAGE_FILE:
            fd = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                                  | O_CLOEXEC, S_IRUSR | S_IWUSR);

            if (fd == -1) {
                goto failed;
            }

            if (sbx_write_all(fd, p + off, r.size) != (ssize_t) r.size
                || fchmod(fd, r.mode) == -1 || futimens(fd, ts) == -1)
            {
                close(fd);
                goto failed;
            }

            close(fd);
            break;

        case SBX_IMAGE_LINK:
            if (r.size >= sizeof(target)) {
                goto bad;
            }

            memcpy(target, p + off, r.size);
            target[r.size] = '\0';

            if (symlinkat(target, fd, name) == -1
                || utimensat(fd, name, ts, AT_SYMLINK_NOFOLLOW) == -1)
            {
                goto failed;
            }

            break;

        case SBX_IMAGE_FIFO:
            if (mkfifoat(fd, name, S_IRUSR | S_IWUSR) == -1
                || fchmodat(fd, name, r.mode, 0) == -1
                || utimensat(fd, name, ts, AT_SYMLINK_NOFOLLOW) == -1)
            {
                goto failed;
            }

            break;

        default:
            goto bad;
        }

        off += r.size;
    }

    if (depth != 0) {
        goto bad;
    }

    return SBX_INIT_OK;

failed:

    return sbx_init_fail(err, size, "%s: %s", name, strerror(errno));

bad:

    return sbx_init_fail(err, size, "image: malformed at %zu", off);
}
